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
  of,
  switchMap,
  takeUntil,
  tap,
  throwError,
} from 'rxjs';
import { UsageError } from '../errors/UsageError.js';
import { fileThreads } from './fileThreads.js';
import { isRegularFile } from './regularFile.js';
import { STDIN, STDIN_PATH } from './standardInput.js';

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

/** The threaded read of {@link LogFiles.passChunks}: `fromFile` of `@lossflow/rx/node`, or a double. */
export type ReadThreaded = (
  path: string,
  options: NonNullable<Parameters<typeof fromFile>[1]>,
) => Observable<RecordBatch>;

/** Options of a {@link LogFiles}. */
export interface LogFilesOptions {
  /** Read only the first `limit` rows over all files. */
  limit?: number | undefined;
  /** The columns to read from `file`, whose schema this is (all when not given). */
  project?: ((schema: Schema, file: string) => readonly string[]) | undefined;
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
  /**
   * Called once, in this thread, with the first batch that has rows (its projected columns): as
   * {@link LogFiles.batches} reads it, or, for files the workers read, from a second read of the
   * file's first batches in this thread (a look at the data, such as the scores' range, that the
   * workers' chunks do not carry). Errors of that second read are left for the workers' read.
   */
  onFirstRows?: ((batch: RecordBatch) => void) | undefined;
}

/**
 * The log files of one run (`lossflow eval FILE…`), read as one stream of record batches, lazily
 * one file after the other, with the progress and the file each batch came from (a batch index
 * alone does not name a file).
 */
export class LogFiles {
  /** The files as the outputs name them (`-` for standard input). */
  readonly files: readonly string[];
  readonly totalBytes: number;
  readonly threads: number;
  #rows = 0;
  #batches = 0;
  #bytesBefore = 0;
  #current: { readonly progress: { readonly bytesRead: number } } | undefined;
  #file = 0;
  /** Each file's size when opened; see {@link sizes}. */
  readonly #statSizes: readonly number[];
  /** Whether each file's size is known before it is read (a regular file, not followed). */
  readonly #sizeKnown: readonly boolean[];
  /** The bytes read from each file whose size is not known, once it has been read. */
  readonly #readBytes: number[];
  /** The global index of each file's first batch. */
  readonly #firstBatch: number[] = [];
  readonly #limit: number | undefined;
  readonly #project: LogFilesOptions['project'];
  readonly #allowMissingEndOfStream: boolean;
  readonly #open: OpenBatches;
  readonly #decorate: LogFilesOptions['decorate'];
  readonly #follow: LogFilesOptions['follow'];
  /** The {@link LogFilesOptions.onFirstRows} callback until it has been called. */
  #onFirstRows: LogFilesOptions['onFirstRows'];
  /** The first regular file and the columns read from it, which every later file must have too. */
  #first: { readonly file: string; readonly columns: readonly string[] } | undefined;
  /** The schema of the first file (as read, before any projection when probed), once known. */
  #firstSchema: Schema | undefined;
  /** Whether some input is a pipe or device, whose size is not known before it is read. */
  readonly sizesUnknown: boolean;

  readonly #readThreaded: ReadThreaded;

  /**
   * @param open opens a file for {@link batches} (default `readFile` of `@lossflow/arrow/node`)
   * @param readThreaded reads a file for {@link passChunks} (default `fromFile`): a distributed
   *   run's coordinator checks its files with batches of no rows through both (`localEvalChecks`)
   * @throws Node's file-system error when a file cannot be stat'ed (before anything is read).
   */
  constructor(
    files: readonly string[],
    options: LogFilesOptions = {},
    open?: OpenBatches,
    readThreaded: ReadThreaded = fromFile,
  ) {
    this.#readThreaded = readThreaded;
    this.files = files;
    this.#statSizes = files.map((f) => statSync(pathOf(f)).size);
    this.totalBytes = this.#statSizes.reduce((a, b) => a + b, 0);
    this.#sizeKnown = files.map((f) => options.follow === undefined && isRegularFile(pathOf(f)));
    this.#readBytes = files.map(() => 0);
    this.#limit = options.limit;
    this.#project = options.project;
    this.threads = options.threads ?? 0;
    this.#allowMissingEndOfStream = options.allowMissingEndOfStream === true;
    const follow = options.follow === undefined ? undefined : { stop: options.follow.stop };
    this.#open = open ?? ((file, o) => readBatches(file, follow === undefined ? o : { ...o, follow }));
    this.#decorate = options.decorate;
    this.#follow = options.follow;
    this.#onFirstRows = options.onFirstRows;
    this.sizesUnknown = this.#sizeKnown.includes(false);
  }

  /**
   * Each file's size in bytes: a regular file's when it was opened; for a pipe (standard input) or
   * a followed file, the bytes read from it so far (all of them once the run has ended).
   */
  get sizes(): readonly number[] {
    return this.files.map((_, i) =>
      this.#sizeKnown[i]
        ? this.#statSizes[i]!
        : i === this.#file
          ? (this.#current?.progress.bytesRead ?? this.#readBytes[i]!)
          : this.#readBytes[i]!,
    );
  }

  /** Moves on to file `i`: the bytes of the file read before it count as read. */
  #startFile(i: number): void {
    if (i > 0) {
      if (this.#current !== undefined) this.#readBytes[this.#file] = this.#current.progress.bytesRead;
      this.#bytesBefore += this.sizes[this.#file]!;
      this.#current = undefined;
    }
    this.#file = i;
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
          this.#startFile(i);
          this.#firstBatch[i] = this.#batches;
          return from(this.#openFile(file, remaining)).pipe(
            switchMap((reader) => {
              this.#current = reader;
              return fromBatches(reader);
            }),
            tap((batch) => {
              this.#firstSchema ??= batch.schema;
              this.#sawBatch(batch);
              this.#rows += batch.numRows;
              this.#batches += 1;
            }),
            map((batch) => (this.#decorate === undefined ? batch : this.#decorate(batch, file, i))),
            catchError((e: unknown) => throwError(() => namedAs(e, file))),
          );
        }),
      ),
    );
    // Completes at once when stop aborts: the reader's own end (TRUNCATED, as it stops inside the
    // stream) comes later and goes nowhere.
    // A stop that came before (Ctrl-C while the report waited for the file's schema) ends it at once.
    return stop === undefined
      ? all
      : all.pipe(takeUntil(defer(() => (stop.aborted ? of(true) : fromEvent(stop, 'abort')))));
  }

  /**
   * The chunks of every loss and metric operator per batch, over all files in order, computed by
   * up to {@link threads} threads (this one and workers; fewer for a small file, see `fileThreads`)
   * that read the files themselves
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
          this.#startFile(i);
          const first = this.#batches;
          this.#firstBatch[i] = first;
          const progress = { bytesRead: 0 };
          this.#current = { progress };
          const path = pathOf(file);
          // A pipe is read in this thread anyway (workers read at offsets); read here, its schema
          // is known as for a regular file (the JSON's columns).
          const pipe = !isRegularFile(path);
          const batches = this.#readThreaded(path, {
            threads: pipe ? 0 : fileThreads(path, this.threads),
            // A command line's main thread has nothing else to do: it computes too.
            inThisThread: true,
            ...(remaining === undefined ? {} : { limit: remaining }),
            ...(this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {}),
            onProgress: (p) => {
              progress.bytesRead = p.bytesRead;
            },
          });
          // Workers take only the pass operator right after fromFile: the schema tap is for the pipe.
          const chunks = pipe
            ? batches.pipe(
                tap((batch: RecordBatch) => {
                  this.#firstSchema ??= batch.schema;
                  this.#sawBatch(batch);
                }),
                lossesAndMetrics(operators, metricOperators),
              )
            : batches.pipe(lossesAndMetrics(operators, metricOperators));
          const read = chunks.pipe(
            map((chunks) => ({
              losses: chunks.losses.map((c) => ({ ...c, batch: first + c.batch })),
              metrics: chunks.metrics.map((c) => ({ ...c, batch: first + c.batch })),
            })),
            tap((chunks) => {
              const c = chunks.losses[0] ?? chunks.metrics[0];
              if (c !== undefined) this.#rows += c.rows + c.skipped;
              this.#batches += 1;
            }),
            catchError((e: unknown) => throwError(() => namedAs(acrossFiles(e, first), file))),
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
    const path = pathOf(file);
    if (this.#project === undefined || !isRegularFile(path)) return this.#open(path, options);
    const probe = this.#open(path, this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {});
    let schema: Schema;
    try {
      schema = await probe.schema();
    } finally {
      await probe.close();
    }
    this.#checkSameColumns(file, schema);
    this.#firstSchema ??= schema;
    let columns: readonly string[];
    try {
      columns = this.#project(schema, file);
    } catch (e) {
      throw this.#first === undefined ? await this.#oddFirstFile(e, file, schema) : e;
    }
    this.#first ??= { file, columns };
    return this.#open(path, { ...options, columns });
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
   * For a column missing from the first file (`error`, from {@link LogFilesOptions.project}): when
   * a later file has that column, the files disagree and the first one is the odd one, so the error
   * names both (as {@link #checkSameColumns} does the other way round). Else `error` as it is. Only
   * on this failure are the later files' schemas read (pipes are not: they can be read once).
   */
  async #oddFirstFile(error: unknown, file: string, schema: Schema): Promise<unknown> {
    if (!(error instanceof ArrowReadError) || error.code !== 'MISSING_COLUMN' || error.column === undefined)
      return error;
    const column = error.column;
    for (const other of this.files) {
      if (other === file || !isRegularFile(pathOf(other))) continue;
      const probe = this.#open(
        pathOf(other),
        this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {},
      );
      let fields: readonly string[];
      try {
        fields = (await probe.schema()).fields.map((f) => f.name);
      } catch {
        continue;
      } finally {
        await probe.close();
      }
      if (!fields.includes(column)) continue;
      return new ArrowReadError(
        'MISSING_COLUMN',
        `${file} has no column '${column}', which ${other} has (columns of ${file}: ${schema.fields.map((f) => f.name).join(', ')}; of ${other}: ${fields.join(', ')})`,
        {
          file,
          column,
          hint: 'All files of one run must have the columns the losses and --by read; evaluate files with other columns in a separate run.',
        },
      );
    }
    return error;
  }

  /**
   * The columns check of {@link #openFile} for a file the workers read: its schema (footer or first
   * message) against the first file's columns. A column the first file itself lacks is left for the
   * read to report, as before.
   *
   * @throws the probe's error when the schema cannot be read (the run's columns would be unknown).
   */
  async #probeColumns(file: string): Promise<void> {
    if (this.#project === undefined || !isRegularFile(pathOf(file))) return;
    const probe = this.#open(
      pathOf(file),
      this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {},
    );
    // A failing probe fails the run, as it does when this thread reads (`#openFile`): the workers'
    // read never reports the schema, so going on would print a result without its columns.
    let schema: Schema;
    try {
      schema = await probe.schema();
    } finally {
      await probe.close();
    }
    this.#checkSameColumns(file, schema);
    this.#firstSchema ??= schema;
    if (this.#first === undefined) {
      try {
        this.#first = { file, columns: this.#project(schema, file) };
      } catch (e) {
        // A flag the file's columns rule out (--threshold with class indices) is the user's to fix.
        if (e instanceof UsageError) throw e;
        // A column missing from the first file: named with a later file that has it, or else left
        // for the read to report.
        const odd = await this.#oddFirstFile(e, file, schema);
        if (odd !== e) throw odd;
      }
    }
    await this.#probeFirstRows(file);
  }

  /**
   * For {@link LogFilesOptions.onFirstRows} of a file the workers read: reads the file's batches
   * here (the run's columns) up to the first with rows, or to its end when it has none.
   */
  async #probeFirstRows(file: string): Promise<void> {
    const first = this.#first;
    if (this.#onFirstRows === undefined || first === undefined) return;
    const reader = this.#open(pathOf(file), {
      columns: first.columns,
      ...(this.#allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {}),
    });
    try {
      for await (const batch of reader) {
        this.#sawBatch(batch);
        if (this.#onFirstRows === undefined) break;
      }
    } catch {
      // The workers read the file next, and report its errors with their context.
    } finally {
      await reader.close().catch(() => undefined);
    }
  }

  /** Hands the first batch with rows to {@link LogFilesOptions.onFirstRows}, once. */
  #sawBatch(batch: RecordBatch): void {
    const onFirstRows = this.#onFirstRows;
    if (onFirstRows === undefined || batch.numRows === 0) return;
    this.#onFirstRows = undefined;
    onFirstRows(batch);
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

/** The path a file of the command line is opened at (`-` is standard input). */
function pathOf(file: string): string {
  return file === STDIN ? STDIN_PATH : file;
}

/** A reading error of standard input named as the command line names it (`-`), not by the path it was opened at. */
function namedAs(e: unknown, file: string): unknown {
  if (file !== STDIN || !(e instanceof ArrowReadError) || e.file !== STDIN_PATH) return e;
  const { code, detail, batch, rowGroup, row, column, hint } = e;
  const context = Object.fromEntries(
    Object.entries({ batch, rowGroup, row, column, hint }).filter(([, v]) => v !== undefined),
  );
  return new ArrowReadError(code, detail, { ...context, file, cause: e });
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
