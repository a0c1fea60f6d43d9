import { statSync } from 'node:fs';
import { ArrowReadError } from '@lossflow/arrow';
import { readFile as readBatches } from '@lossflow/arrow/node';
import { LossError } from '@lossflow/core';
import {
  fromBatches,
  type LossChunk,
  lossesAndMetrics,
  type MetricChunk,
  type PassChunks,
} from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import type { RecordBatch, Schema } from 'apache-arrow';
import {
  catchError,
  concat,
  defer,
  EMPTY,
  from,
  fromEvent,
  map,
  type Observable,
  type OperatorFunction,
  switchMap,
  takeUntil,
  tap,
  throwError,
} from 'rxjs';
import { isRegularFile } from './regularFile.js';

/** How far reading has got, over all files of a run. */
export interface ReadProgress {
  readonly file: string;
  readonly bytesRead: number;
  /** Sum of the files' sizes (known from the start, for the ETA). */
  readonly totalBytes: number;
  readonly rows: number;
  readonly batches: number;
  /** What the progress line says is happening (default `reading`). */
  readonly label?: string;
}

/**
 * What an eval pass reads from: the files, their batches (in this thread) and every loss's chunks
 * per batch (in threads, or elsewhere: a distributed run), with progress. {@link LogFiles} reads the
 * files here.
 */
export type EvalSource = Pick<
  LogFiles,
  | 'files'
  | 'sizes'
  | 'totalBytes'
  | 'threads'
  | 'batches'
  | 'passChunks'
  | 'progress'
  | 'locate'
  | 'sizesUnknown'
  | 'inThisThreadOnly'
  | 'firstSchema'
>;

/** Opens one file as an async iterable of batches (`@lossflow/arrow`'s `readBatches`, or a test double). */
export type OpenBatches = (
  file: string,
  options: { limit?: number; columns?: readonly string[]; allowMissingEndOfStream?: boolean },
) => AsyncIterable<RecordBatch> & {
  readonly progress: { readonly bytesRead: number };
  schema(): Promise<Schema>;
  close(): Promise<void>;
};

/** Options of a {@link LogFiles}. */
export interface LogFilesOptions {
  /** Read only the first `limit` rows over all files. */
  limit?: number | undefined;
  /** The columns to read from a file with this schema (all when not given). */
  project?: ((schema: Schema) => readonly string[]) | undefined;
  /** Worker threads for {@link LogFiles.passChunks} (default 0: read in this thread). */
  threads?: number | undefined;
  /** Read an Arrow IPC stream that ends without its end-of-stream marker as complete (default false). */
  allowMissingEndOfStream?: boolean | undefined;
  /**
   * Changes each batch as it is read (adds the `--by` key column of `GroupKeys`); given the batch's
   * file and the file's index. Batches are then read in this thread only ({@link LogFiles.decorates}).
   */
  decorate?: ((batch: RecordBatch, file: string, fileIndex: number) => RecordBatch) | undefined;
  /**
   * `--follow`: read each file (an Arrow IPC stream) while it grows, to its end-of-stream marker
   * (`readFile`'s `follow`). Aborting `stop` ends {@link LogFiles.batches} after the batches read so
   * far, without an error: the caller reports them as incomplete.
   */
  follow?: { readonly stop: AbortSignal } | undefined;
}

/**
 * The log files of one run (`lossflow eval FILE…`), read as one stream of record batches, lazily
 * one file after the other, with the progress and the file each batch came from (a batch index
 * alone does not name a file).
 */
export class LogFiles {
  readonly files: readonly string[];
  readonly sizes: readonly number[];
  readonly totalBytes: number;
  readonly threads: number;
  #rows = 0;
  #batches = 0;
  #bytesBefore = 0;
  #current: { readonly progress: { readonly bytesRead: number } } | undefined;
  #file = 0;
  /** The global index of each file's first batch. */
  readonly #firstBatch: number[] = [];
  readonly #limit: number | undefined;
  readonly #project: LogFilesOptions['project'];
  readonly #allowMissingEndOfStream: boolean;
  readonly #open: OpenBatches;
  readonly #decorate: LogFilesOptions['decorate'];
  readonly #follow: LogFilesOptions['follow'];
  /** The first regular file and the columns read from it, which every later file must have too. */
  #first: { readonly file: string; readonly columns: readonly string[] } | undefined;
  /** The schema of the first file (as read, before any projection when probed), once known. */
  #firstSchema: Schema | undefined;
  /** Whether some input is a pipe or device, whose size is not known before it is read. */
  readonly sizesUnknown: boolean;

  /** @throws Node's file-system error when a file cannot be stat'ed (before anything is read). */
  constructor(files: readonly string[], options: LogFilesOptions = {}, open?: OpenBatches) {
    this.files = files;
    this.sizes = files.map((f) => statSync(f).size);
    this.totalBytes = this.sizes.reduce((a, b) => a + b, 0);
    this.#limit = options.limit;
    this.#project = options.project;
    this.threads = options.threads ?? 0;
    this.#allowMissingEndOfStream = options.allowMissingEndOfStream === true;
    const follow = options.follow === undefined ? undefined : { stop: options.follow.stop };
    this.#open = open ?? ((file, o) => readBatches(file, follow === undefined ? o : { ...o, follow }));
    this.#decorate = options.decorate;
    this.#follow = options.follow;
    this.sizesUnknown = this.#follow !== undefined || files.some((f) => !isRegularFile(f));
  }

  /** Whether batches are changed as they are read or files followed, which only this thread does (no `lossChunks`). */
  get inThisThreadOnly(): boolean {
    return this.#decorate !== undefined || this.#follow !== undefined;
  }

  /** The batches of all files in order; each subscription reads the files again. */
  batches(): Observable<RecordBatch> {
    const stop = this.#follow?.stop;
    const all = concat(
      ...this.files.map((file, i) =>
        defer(() => {
          const remaining = this.#limit === undefined ? undefined : this.#limit - this.#rows;
          if (remaining !== undefined && remaining <= 0) return EMPTY;
          if (i > 0) this.#bytesBefore += this.sizes[i - 1]!;
          this.#file = i;
          this.#firstBatch[i] = this.#batches;
          return from(this.#openFile(file, remaining)).pipe(
            switchMap((reader) => {
              this.#current = reader;
              return fromBatches(reader);
            }),
            tap((batch) => {
              this.#firstSchema ??= batch.schema;
              this.#rows += batch.numRows;
              this.#batches += 1;
            }),
            map((batch) => (this.#decorate === undefined ? batch : this.#decorate(batch, file, i))),
          );
        }),
      ),
    );
    // Completes at once when stop aborts: the reader's own end (TRUNCATED, as it stops inside the
    // stream) comes later and goes nowhere.
    return stop === undefined ? all : all.pipe(takeUntil(fromEvent(stop, 'abort')));
  }

  /**
   * The chunks of every loss and metric operator per batch, over all files in order, computed by
   * {@link threads} threads (this one and workers) that read the files themselves
   * (`@lossflow/rx/node`'s `fromFile` with `threads` and `inThisThread`, then `lossesAndMetrics`;
   * only for operators that can run in workers, without per-row output, or `fromFile` refuses).
   * Batch indices count across the files, as {@link batches}' do.
   */
  passChunks(
    operators: readonly OperatorFunction<RecordBatch, LossChunk>[],
    metricOperators: readonly OperatorFunction<RecordBatch, MetricChunk>[] = [],
  ): Observable<PassChunks> {
    return concat(
      ...this.files.map((file, i) =>
        defer(() => {
          const remaining = this.#limit === undefined ? undefined : this.#limit - this.#rows;
          if (remaining !== undefined && remaining <= 0) return EMPTY;
          if (i > 0) this.#bytesBefore += this.sizes[i - 1]!;
          this.#file = i;
          const first = this.#batches;
          this.#firstBatch[i] = first;
          const progress = { bytesRead: 0 };
          this.#current = { progress };
          const read = fromFile(file, {
            threads: this.threads,
            // A command line's main thread has nothing else to do: it computes too.
            inThisThread: true,
            ...(remaining === undefined ? {} : { limit: remaining }),
            ...(this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {}),
            onProgress: (p) => {
              progress.bytesRead = p.bytesRead;
            },
          }).pipe(
            lossesAndMetrics(operators, metricOperators),
            map((chunks) => ({
              losses: chunks.losses.map((c) => ({ ...c, batch: first + c.batch })),
              metrics: chunks.metrics.map((c) => ({ ...c, batch: first + c.batch })),
            })),
            tap((chunks) => {
              const c = chunks.losses[0] ?? chunks.metrics[0];
              if (c !== undefined) this.#rows += c.rows + c.skipped;
              this.#batches += 1;
            }),
            catchError((e: unknown) => throwError(() => acrossFiles(e, first))),
          );
          return from(this.#probeColumns(file)).pipe(switchMap(() => read));
        }),
      ),
    );
  }

  /**
   * Opens a file, first reading its schema (the footer or first message only) when the columns
   * depend on it, unless it is a pipe or device (see `isRegularFile`).
   */
  async #openFile(file: string, limit: number | undefined): Promise<ReturnType<OpenBatches>> {
    const options = {
      ...(limit === undefined ? {} : { limit }),
      ...(this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {}),
    };
    // A pipe or device can be read once: no schema probe, every column is read.
    if (this.#project === undefined || !isRegularFile(file)) return this.#open(file, options);
    const probe = this.#open(file, this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {});
    let schema: Schema;
    try {
      schema = await probe.schema();
    } finally {
      await probe.close();
    }
    this.#checkSameColumns(file, schema);
    this.#firstSchema ??= schema;
    const columns = this.#project(schema);
    this.#first ??= { file, columns };
    return this.#open(file, { ...options, columns });
  }

  /**
   * Every file must have the columns read from the first one: a column missing from a later file
   * is reported naming both files, not as a column missing from the data.
   */
  #checkSameColumns(file: string, schema: Schema): void {
    const first = this.#first;
    if (first === undefined) return;
    const missing = first.columns.filter((c) => schema.fields.every((f) => f.name !== c));
    if (missing.length === 0) return;
    const list = missing.map((c) => `'${c}'`).join(', ');
    throw new ArrowReadError(
      'MISSING_COLUMN',
      `${file} has no column ${list}, which ${first.file} has (columns of ${file}: ${schema.fields.map((f) => f.name).join(', ')})`,
      {
        file,
        column: missing[0]!,
        hint: 'All files of one run must have the columns the losses and --by read; evaluate files with other columns in a separate run.',
      },
    );
  }

  /**
   * The columns check of {@link #openFile} for a file the workers read: its schema (footer or first
   * message) against the first file's columns. A column the first file itself lacks is left for the
   * read to report, as before.
   */
  async #probeColumns(file: string): Promise<void> {
    if (this.#project === undefined || !isRegularFile(file)) return;
    const probe = this.#open(file, this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {});
    let schema: Schema;
    try {
      schema = await probe.schema();
    } catch {
      return; // The read reports it, with its context.
    } finally {
      await probe.close();
    }
    this.#checkSameColumns(file, schema);
    this.#firstSchema ??= schema;
    if (this.#first !== undefined) return;
    try {
      this.#first = { file, columns: this.#project(schema) };
    } catch {
      // A column missing from the first file: the read reports it.
    }
  }

  /** The first file's schema, once it has been read (undefined before, or for a worker-read pipe). */
  get firstSchema(): Schema | undefined {
    return this.#firstSchema;
  }

  /** Progress so far. */
  progress(): ReadProgress {
    return {
      file: this.files[this.#file] ?? '',
      bytesRead: this.#bytesBefore + (this.#current?.progress.bytesRead ?? 0),
      totalBytes: this.totalBytes,
      rows: this.#rows,
      batches: this.#batches,
    };
  }

  /** The file and file-local batch index of a global batch index (as loss errors report it). */
  locate(batch: number): { file: string; batch: number } {
    let i = 0;
    while (i + 1 < this.#firstBatch.length && this.#firstBatch[i + 1]! <= batch) i++;
    return { file: this.files[i] ?? '', batch: batch - (this.#firstBatch[i] ?? 0) };
  }
}

/** A loss error's file-local batch indices (`batch`, `firstBatch`) as indices across all files (as `locate` expects). */
function acrossFiles(e: unknown, first: number): unknown {
  if (first === 0 || !(e instanceof LossError) || e.batch === undefined) return e;
  const { code, detail, loss, argument, row, column, file, firstBatch, firstFile, hint } = e;
  const context = Object.fromEntries(
    Object.entries({ loss, argument, row, column, file, firstFile, hint }).filter(([, v]) => v !== undefined),
  );
  return new LossError(code, detail, {
    ...context,
    batch: first + e.batch,
    ...(firstBatch === undefined ? {} : { firstBatch: first + firstBatch }),
  });
}
