import type { FoundRun } from '@lossflow/nats';
import type { RecordBatch, Schema } from 'apache-arrow';
import { defer, EMPTY, fromEvent, NEVER, type Observable, takeUntil, tap } from 'rxjs';
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
  readonly #stop: AbortSignal | undefined;

  /** @param stop `--follow`'s Ctrl-C: the batches end there (a run without its end marker waits). */
  constructor(subject: string, open: OpenLiveRun, stop?: AbortSignal) {
    this.#subject = subject;
    this.#open = open;
    this.#stop = stop;
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
    const stop = this.#stop;
    return defer(() =>
      stop?.aborted === true
        ? EMPTY
        : this.#open({
            onRun: (run) => {
              this.#run = run;
            },
            onMessage: (bytes) => {
              this.#bytes += bytes;
            },
          }),
    ).pipe(
      // Unsubscribing closes the run's consumer: nothing more is read.
      takeUntil(stop === undefined ? NEVER : fromEvent(stop, 'abort')),
      tap((batch) => {
        this.#firstSchema ??= batch.schema;
        this.#rows += batch.numRows;
        this.#batches += 1;
      }),
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
