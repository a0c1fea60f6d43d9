import type { OutputFormat } from '../args/evalArgs.js';
import type { CliIo } from './cliIo.js';
import { type CsvLayout, csvHeader, csvLine, ndjsonLine, type ResultRecord } from './resultRecords.js';

/** CSV / NDJSON lines on stdout; the CSV header goes out with the first line, so a run that fails at once prints nothing. */
export class LineOutput {
  #headerDone = false;
  readonly #format: OutputFormat;
  readonly #io: CliIo;
  readonly #layout: CsvLayout;

  /** @param layout the CSV's columns (see `CsvLayout`) */
  constructor(format: OutputFormat, io: CliIo, layout: CsvLayout = {}) {
    this.#format = format;
    this.#io = io;
    this.#layout = layout;
  }

  write(record: ResultRecord): void {
    if (this.#format === 'ndjson') {
      this.#io.stdout.write(ndjsonLine(record));
      return;
    }
    if (!this.#headerDone) this.#io.stdout.write(csvHeader(this.#layout));
    this.#headerDone = true;
    this.#io.stdout.write(csvLine(record, this.#layout));
  }
}
