import type { OutputFormat } from '../args/evalArgs.js';
import type { CliIo } from './cliIo.js';
import { csvHeader, csvLine, ndjsonLine, type ResultRecord } from './resultRecords.js';

/** CSV / NDJSON lines on stdout; the CSV header goes out with the first line, so a run that fails at once prints nothing. */
export class LineOutput {
  #headerDone = false;
  readonly #format: OutputFormat;
  readonly #io: CliIo;
  readonly #keyNames: readonly string[];
  readonly #withErrorBound: boolean;

  /**
   * @param keyNames the `--by` names; several get a CSV column each (see `csvHeader`)
   * @param withErrorBound whether the CSV has an `errorBound` column (a run with `--metric auroc`)
   */
  constructor(format: OutputFormat, io: CliIo, keyNames: readonly string[] = [], withErrorBound = false) {
    this.#format = format;
    this.#io = io;
    this.#keyNames = keyNames;
    this.#withErrorBound = withErrorBound;
  }

  write(record: ResultRecord): void {
    if (this.#format === 'ndjson') {
      this.#io.stdout.write(ndjsonLine(record));
      return;
    }
    if (!this.#headerDone) this.#io.stdout.write(csvHeader(this.#keyNames, this.#withErrorBound));
    this.#headerDone = true;
    this.#io.stdout.write(csvLine(record, this.#keyNames, this.#withErrorBound));
  }
}
