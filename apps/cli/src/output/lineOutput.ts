import type { OutputFormat } from '../args/evalArgs.js';
import type { CliIo } from './cliIo.js';
import { csvHeader, csvLine, ndjsonLine, type ResultRecord } from './resultRecords.js';

/** CSV / NDJSON lines on stdout; the CSV header goes out with the first line, so a run that fails at once prints nothing. */
export class LineOutput {
  #headerDone = false;
  readonly #format: OutputFormat;
  readonly #io: CliIo;
  readonly #keyNames: readonly string[];

  /** @param keyNames the `--by` names; several get a CSV column each (see `csvHeader`) */
  constructor(format: OutputFormat, io: CliIo, keyNames: readonly string[] = []) {
    this.#format = format;
    this.#io = io;
    this.#keyNames = keyNames;
  }

  write(record: ResultRecord): void {
    if (this.#format === 'ndjson') {
      this.#io.stdout.write(ndjsonLine(record));
      return;
    }
    if (!this.#headerDone) this.#io.stdout.write(csvHeader(this.#keyNames));
    this.#headerDone = true;
    this.#io.stdout.write(csvLine(record, this.#keyNames));
  }
}
