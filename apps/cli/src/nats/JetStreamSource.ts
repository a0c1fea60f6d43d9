import type { FoundRun } from '@lossflow/nats';
import type { RecordBatch, Schema } from 'apache-arrow';
import { defer, type Observable, tap } from 'rxjs';
import type { EvalSource, ReadProgress } from '../eval/LogFiles.js';

/** Opens a live run's batches, telling which run it found and the bytes of each message read. */
export type OpenLiveRun = (hooks: {
  onRun(run: FoundRun): void;
  onMessage(bytes: number): void;
}) => Observable<RecordBatch>;

/**
 * A live run on NATS JetStream as an eval source: one stream of batches read in this thread (the
 * messages arrive one by one, there is no file for worker threads to read), named `nats:SUBJECT.RUN`
 * wherever a file name would be. Its size is unknown until the end-of-run marker, so progress shows
 * rows, bytes and rate without a bar.
 */
export class JetStreamSource implements EvalSource {
  readonly threads = 0;
  readonly inThisThreadOnly = true;
  /** The run's size is known only once read to its end-of-run marker. */
  readonly sizesUnknown = true;
  readonly #open: OpenLiveRun;
  readonly #subject: string;
  #run: FoundRun | undefined;
  #rows = 0;
  #batches = 0;
  #bytes = 0;
  #firstSchema: Schema | undefined;

  constructor(subject: string, open: OpenLiveRun) {
    this.#subject = subject;
    this.#open = open;
  }

  /** The schema of the run's first batch (the JSON output's columns). */
  get firstSchema(): Schema | undefined {
    return this.#firstSchema;
  }

  /** The run read, once found. */
  get run(): FoundRun | undefined {
    return this.#run;
  }

  get files(): readonly string[] {
    return [this.#name()];
  }

  /** The bytes of the messages read so far: the run's size once it has been read. */
  get sizes(): readonly number[] {
    return [this.#bytes];
  }

  get totalBytes(): number {
    return this.#bytes;
  }

  batches(): Observable<RecordBatch> {
    return defer(() =>
      this.#open({
        onRun: (run) => {
          this.#run = run;
        },
        onMessage: (bytes) => {
          this.#bytes += bytes;
        },
      }).pipe(
        tap((batch) => {
          this.#firstSchema ??= batch.schema;
          this.#rows += batch.numRows;
          this.#batches += 1;
        }),
      ),
    );
  }

  /** Never called: a live run is read in this thread (`threads` is 0). */
  passChunks(): never {
    throw new Error('a live run is read in this thread, never by worker threads');
  }

  progress(): ReadProgress {
    return {
      file: this.#name(),
      bytesRead: this.#bytes,
      totalBytes: 0,
      rows: this.#rows,
      batches: this.#batches,
    };
  }

  locate(batch: number): { file: string; batch: number } {
    return { file: this.#name(), batch };
  }

  #name(): string {
    return `nats:${this.#subject}${this.#run === undefined ? '' : `.${this.#run.run}`}`;
  }
}
