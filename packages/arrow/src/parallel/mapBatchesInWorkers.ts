import { readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { Message, type Schema, tableFromIPC } from 'apache-arrow';
// Not in the package's index, but its one decoder of a file's footer (the schema an in-thread reader sees).
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { reviveError } from '../errors/workerError.js';
import { detectFormat, type FileFormat, MAGIC_BYTES } from '../format/detectFormat.js';
import { changedOr } from '../io/changedOr.js';
import { FileByteReader } from '../io/FileByteReader.js';
import { checkFileVersionSync, type FileVersion, settledStat, versionOf } from '../io/fileVersion.js';
import { ioError } from '../io/ioError.js';
import { type IpcBatchAt, type IpcScan, scanIpcFile, scanIpcStream } from '../ipc/scanIpcBlocks.js';
import { syncPositionalReads } from '../ipc/syncPositionalReads.js';
import { decoderTrapError, isDecoderTrap } from '../parquet/decoderTrap.js';
import type { ParquetMeta } from '../parquet/parquetFile.js';
import { countOption, MAX_THREADS } from '../read/countOption.js';
import { type ReadProgress, readOpenFile } from '../read/readBatches.js';
import { missingColumnError } from '../schema/missingColumnError.js';
import { projectSchema } from '../schema/projectSchema.js';
import { type TensorLayout, tensorLayout } from '../schema/tensorLayout.js';
import type { BatchReadPlan } from './BatchReadPlan.js';
import { BatchRunner } from './BatchRunner.js';
import { ipcBatchPlans } from './ipcBatchPlans.js';
import { parkWorker, takeWorker, unparkWorker, waitingWorkers } from './prestartWorkers.js';
import { RANGE_BYTES, rangeRows } from './rangeRows.js';
import type { ReadBytesAt } from './rowRangePlans.js';
import { traceMark, traceNow, tracing } from './traceMarks.js';
import type { WorkerJob, WorkerReply, WorkerRequest, WorkerSetup } from './workerProtocol.js';

/** The module a pool runs in its workers (see `WorkerTaskModule`) and the data its `setup` gets. */
export interface WorkerTask {
  /** URL of the task module (e.g. `new URL('./myTask.js', import.meta.url)`). */
  readonly module: string | URL;
  /** Passed to the module's `setup` in every worker; must be structured-cloneable. */
  readonly data?: unknown;
}

/** What to read and compute, decided from the input's schema. */
export interface WorkerPlan<R = unknown> {
  /** The columns the task reads (`WorkerBatch.tensors` can make tensors of these only). */
  readonly columns: readonly string[];
  readonly task: WorkerTask;
  /**
   * Merges the results of consecutive row ranges of one batch, in row order, into the batch's
   * result. Given it, an Arrow IPC batch (or a Parquet row group's batch) bigger than `rangeBytes` is split into row ranges that
   * all threads read and compute (the task's `run` then sees one range at a time as its batch);
   * without it, every batch is one job. The ranges depend only on the batch and the columns, never
   * on the thread count, so a deterministic merge gives the same result for any thread count.
   * (A Parquet batch with a variable-length list column is one job whose worker computes its
   * ranges one after the other: their lengths are known only once its pages are decoded.)
   */
  readonly merge?: (parts: R[]) => R;
}

/** Options of {@link mapBatchesInWorkers}. */
export interface WorkerReadOptions {
  /**
   * Threads that read and compute (default 2): worker threads, and this one with `inThisThread`.
   * A whole number from 1 to 256 (`MAX_THREADS`), else `INVALID_OPTION`. Workers start as jobs
   * are planned, never more than there are jobs: a file of one job (one batch, or a few small
   * ones: see `rangeBytes`) starts one.
   */
  threads?: number;
  /**
   * Count this thread as one of the `threads` (default false): it computes jobs too, from the
   * moment the file is planned while the workers are still starting, and with `threads: 1` no
   * worker is started at all. Its event loop then waits for each job it runs (a batch, a few
   * small ones, or a row range of one; Parquet's only those the fast path reads: one that needs parquet-wasm goes to a
   * worker, and the file's later ones too), so this suits a command line, not a server.
   */
  inThisThread?: boolean;
  /** Stop after this many rows (the last batch is cut): a whole number ≥ 0, else `INVALID_OPTION`. */
  limit?: number;
  /** Aborting ends the iteration with an `ABORTED` error and ends the workers. */
  signal?: AbortSignal;
  /** Called after each batch's result is handed out (Parquet's `bytesRead` is estimated from the rows). */
  onProgress?: (p: ReadProgress) => void;
  /**
   * Batches (a row range of one counts as one) whose jobs are queued at threads or whose results
   * wait to be handed out, at most (default 8 × threads): a whole number ≥ 1, else
   * `INVALID_OPTION`. It bounds the results held whatever their size (a metric's state can be
   * megabytes a batch), so a run of small Arrow IPC batches joined into one job counts each.
   */
  inFlight?: number;
  /** Accept an IPC stream that ends without its end-of-stream marker (see `ReadOptions`). */
  allowMissingEndOfStream?: boolean;
  /**
   * Only these columns (or those this function picks from the file's schema) exist for the plan,
   * as `ReadOptions.columns` makes them for the in-thread reader: the plan sees the projected
   * schema, and a column it asks for outside them is `MISSING_COLUMN`, whose hint names the option.
   */
  columns?: readonly string[] | ((schema: Schema) => readonly string[]);
  /**
   * With the plan's `merge`: bytes of the selected columns per row range a big Arrow IPC batch (or
   * Parquet batch) is split into (default `RANGE_BYTES`, 4 MiB), which bounds each thread's IO region whatever the
   * batch size. Also, with or without `merge`, the bytes up to which consecutive smaller Arrow IPC
   * batches are read as one job (at most 64 batches, and inFlight / (2 × threads) so every thread
   * has jobs; each batch still gives its own result), so a job costs far more than its message. A whole number ≥ 1, else `INVALID_OPTION`.
   */
  rangeBytes?: number;
  /**
   * Read only this part of the input (see `fileParts`): Arrow IPC batches `first` ≤ i < `end`
   * (counting non-empty batches), Parquet row groups `first` ≤ g < `end`. Results keep their index
   * in the whole input, so a part's results are exactly those the whole input gives for it. With
   * `fileParts`' `seek`, the Arrow IPC headers before the part are not read.
   */
  part?: { readonly first: number; readonly end: number; readonly seek?: number | undefined };
}

/** One batch's result, in batch order. */
export interface WorkerResult<R> {
  /** The batch's index among the non-empty batches of the input. */
  readonly index: number;
  readonly rows: number;
  readonly value: R;
}

/** The results of {@link mapBatchesInWorkers}, in batch order; iterate once. */
export interface WorkerBatchReader<R> extends AsyncIterable<WorkerResult<R>> {
  /** Live counters, updated as results are handed out. */
  readonly progress: ReadProgress;
  format(): Promise<FileFormat>;
  /** The input's schema (all columns), available before the first result. */
  schema(): Promise<Schema>;
  /** Ends the workers and closes the file; idempotent. Breaking out of `for await` also closes. */
  close(): Promise<void>;
}

/**
 * Runs a task over every record batch of an Arrow IPC stream, Arrow IPC file or Parquet file in a
 * pool of worker threads, and hands out the task's results in batch order, so a merge of them does
 * not depend on the number of threads. The file is opened once, here, and every worker reads that
 * open file through its descriptor (never the path again), so a file renamed over the path while
 * it is read (how logs are published) is not read: the result is the first file's. For Arrow IPC this
 * thread only scans the message headers, and a worker reads the selected columns' bytes of its
 * batches straight into the memory its task names (WebAssembly memory, so kernels read them in
 * place): one read, no other copy. For Parquet a worker reads the pages of its job's rows (the
 * selected columns only) and copies their values there (see `BatchRunner`): a row group's batches
 * of 65,536 rows, and their row ranges, are computed by every thread.
 *
 * Each thread reads one batch (or a row range of one) at a time into the one region it reuses, so
 * memory stays at about `threads` batches, or ranges: with the plan's `merge`, an IPC batch bigger
 * than `rangeBytes` is split into row ranges every thread computes, merged back in row order (see
 * `WorkerPlan.merge`); consecutive smaller IPC batches are one job of up to `rangeBytes`, which
 * the thread computes batch by batch. At most `inFlight` batches are queued or waiting, as
 * small results, to be handed out in order. A batch's error (an `ArrowReadError` or
 * `LossError` thrown by the task) reaches the iteration after the results of the batches before
 * it, with the batch index added; a worker that dies, an abort or `close()` ends every worker. A
 * damaged Parquet page that makes the decoder trap is `CORRUPT`, naming the row group. The file
 * written to while it is read (in place, or appended to) fails with `CHANGED`: each job's results,
 * a batch's error and the end are handed out only after an `fstat` of the open descriptor finds
 * its size and times unchanged (an error the changed bytes caused, such as a loss's on a target
 * out of range, is the `CHANGED` error's cause).
 *
 * Options are checked before anything starts (`INVALID_OPTION`, thrown by this call). One worker
 * starts at once, so its start-up overlaps opening the file; more start as jobs are planned, up to
 * `threads`, and never more than there are jobs.
 *
 * @example
 * const reader = mapBatchesInWorkers<number>('log.arrows', (schema) => ({
 *   columns: ['logits', 'target'],
 *   task: { module: new URL('./sumTask.js', import.meta.url) },
 * }), { threads: 4 });
 * for await (const { index, value } of reader) console.log(index, value);
 */
export function mapBatchesInWorkers<R>(
  path: string,
  plan: (schema: Schema) => WorkerPlan<R>,
  options: WorkerReadOptions = {},
): WorkerBatchReader<R> {
  return new Pool<R>(path, plan, options);
}

/** The next unit of work, before it gets its id. */
interface PlannedJob {
  /** Rows it covers. */
  readonly rows: number;
  /**
   * How far into the file the data of each batch it covers ends (a row range: its batch's;
   * estimated from the rows for Parquet), in order, so progress moves batch by batch as before
   * small batches were joined into one job.
   */
  readonly ends: readonly number[];
  /** A row range of a batch split by `rowRangePlans`: whether it is the batch's last; `undefined`: a whole job. */
  readonly range: { readonly last: boolean } | undefined;
  /** A Parquet batch the worker cuts into row ranges itself (see `WorkerJob.cutHere`): its values are merged. */
  readonly cutHere?: boolean;
  request(id: number): WorkerJob;
}

interface Opened {
  format: FileFormat;
  schema: Schema;
  handle: FileHandle | undefined;
  /**
   * The jobs in order, given the rows already planned; `undefined` after the last. A job holds at
   * most `maxBatches` batches (see `Pool.#batchesInFlight`).
   */
  next(planned: number, maxBatches: number): Promise<PlannedJob | undefined>;
  close(): Promise<void>;
}

interface Slot {
  promise: Promise<Done>;
  resolve(done: Done): void;
  reject(error: unknown): void;
  /** See `PlannedJob.ends`. */
  ends: readonly number[];
  /** See `PlannedJob.range`. */
  range: { readonly last: boolean } | undefined;
  /** See `PlannedJob.cutHere`. */
  cutHere: boolean;
}

type Done = Extract<WorkerReply, { type: 'done' }> | typeof END;

const END = Symbol('end');

/**
 * Jobs queued at one thread, at most; the rest wait for a free thread. Several, so that a worker
 * stays busy while the thread handing out jobs is computing one itself (`inThisThread`).
 */
const JOBS_PER_THREAD = 4;

/**
 * How long `close()` waits for a released worker that was set up to answer (it has no request
 * left, so it answers at once unless something of the task blocks its thread); one that has not
 * answered by then is ended if no pool has taken it.
 */
const RELEASE_MS = 10_000;

/**
 * The `release` requests posted to each worker a pool left to the next (see `PoolWorker.release`),
 * and how many it has answered: it is left at once, so until it has answered them all, what it
 * posts (a setup asked while it was starting: its `ready`) is an earlier pool's.
 */
const releases = new WeakMap<Worker, { posted: number; answered: number }>();

/** `worker`'s entry of {@link releases}, counting its answers from its first release on. */
function releaseCounts(worker: Worker): { posted: number; answered: number } {
  let counts = releases.get(worker);
  if (counts === undefined) {
    const c = { posted: 0, answered: 0 };
    // For the thread's life: the pool that takes it next listens after this.
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'released') c.answered++;
    });
    releases.set(worker, c);
    counts = c;
  }
  return counts;
}

/** One thread of the pool: a worker thread, or this thread (`inThisThread`). */
interface PoolThread {
  /** The jobs handed to it and not yet answered. */
  readonly jobs: Set<number>;
  /** Set up, taking jobs. */
  ready: boolean;
  /** Sends setup or a Parquet footer request; the process stays alive until it is answered. */
  ask(request: WorkerRequest): void;
  send(job: WorkerJob): void;
  /** A reply came: job `id` is answered, or (`undefined`) the request asked. */
  finished(id: number | undefined): void;
  /** The thread's id (`threadId`), for trace marks. */
  readonly label: string;
  /** Ends the pool's use of the thread, once it has no job left (see `PoolWorker.release`). */
  release(): Promise<unknown>;
  terminate(): Promise<unknown>;
}

/** What a pool hears from its threads (`released` is a worker's own business: `PoolWorker.release`). */
type PoolReply = Exclude<WorkerReply, { type: 'released' }>;

class PoolWorker implements PoolThread {
  readonly jobs = new Set<number>();
  ready = false;
  /** 1 + the id of the job the worker is running, 0 between jobs (see `WorkerSetup.running`). */
  readonly running = new Int32Array(new SharedArrayBuffer(4));
  readonly label: string;
  readonly #worker: Worker;
  #asked = 0;
  #ending = false;
  readonly #onMessage: (reply: WorkerReply) => void;
  readonly #onError: (error: unknown) => void;
  readonly #onExit: (code: number) => void;

  constructor(onReply: (reply: PoolReply) => void, onFailure: (error: Error) => void) {
    this.#worker = takeWorker();
    this.label = `t${this.#worker.threadId}`;
    this.#worker.unref();
    // Taken before it answered an earlier pool's release, it posts that pool's replies first.
    this.#onMessage = (reply) => {
      const r = releases.get(this.#worker);
      if (reply.type !== 'released' && (r === undefined || r.answered >= r.posted)) onReply(reply);
    };
    this.#onError = (e) =>
      onFailure(
        new Error(`a worker thread failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }),
      );
    this.#onExit = (code) => onFailure(new Error(`a worker thread stopped unexpectedly (exit code ${code})`));
    this.#worker.on('message', this.#onMessage);
    this.#worker.on('error', this.#onError);
    this.#worker.on('exit', this.#onExit);
  }

  ask(request: WorkerRequest): void {
    this.#asked++;
    this.#worker.ref();
    this.#worker.postMessage(request.type === 'setup' ? { ...request, running: this.running } : request);
  }

  send(job: WorkerJob): void {
    this.jobs.add(job.id);
    this.#worker.ref();
    this.#worker.postMessage(job);
  }

  finished(id: number | undefined): void {
    if (id === undefined) this.#asked = Math.max(0, this.#asked - 1);
    else this.jobs.delete(id);
    // Lets the process exit while this worker waits for work (never while it is being ended).
    if (this.jobs.size === 0 && this.#asked === 0 && !this.#ending) this.#worker.unref();
  }

  /**
   * Ends the pool's use of the thread. One with no job left is asked to forget the pool's file and
   * setup (its requests are answered in order, the release last) and is left to the next pool
   * (`parkWorker`) at once, not once it answers: a pool started meanwhile (a command line's next
   * file) takes it rather than start another thread, and one still starting goes on starting for
   * the next pool (it never read the file). The next pool thus skips the thread's start-up (a few
   * hundred ms of CPU: a folder of shards opens a pool per file). One that was set up is awaited
   * until it answers (`close()` waits for it), at most {@link RELEASE_MS}; one with jobs is ended.
   */
  async release(): Promise<unknown> {
    if (this.jobs.size > 0 || this.#ending) return this.terminate();
    this.#ending = true;
    const worker = this.#worker;
    worker.off('message', this.#onMessage);
    worker.off('error', this.#onError);
    worker.off('exit', this.#onExit);
    const counts = releaseCounts(worker);
    const mine = ++counts.posted;
    worker.postMessage({ type: 'release' } satisfies WorkerRequest);
    parkWorker(worker);
    // A thread still starting answers once started: nothing of the pool runs there meanwhile but
    // its setup, and waiting would keep the process alive for its start-up.
    if (!this.ready) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', answered);
        worker.off('exit', done);
        resolve();
      };
      const answered = () => {
        if (counts.answered >= mine) done();
      };
      // Referenced (the thread no longer is), so a caller awaiting close() is not left behind by a
      // process that has nothing else to do.
      const timer = setTimeout(() => {
        if (unparkWorker(worker)) void worker.terminate();
        done();
      }, RELEASE_MS);
      worker.on('message', answered);
      worker.on('exit', done);
    });
  }

  /** Ends the thread; referenced until it has, so a caller awaiting it keeps the process alive. */
  terminate(): Promise<number> {
    this.#ending = true;
    this.#worker.ref();
    return this.#worker.terminate();
  }
}

/** This thread as one of the pool's: a {@link BatchRunner} that yields to the event loop between jobs. */
class InlineThread implements PoolThread {
  readonly jobs = new Set<number>();
  readonly label = 't0';
  ready = false;
  readonly #runner: BatchRunner;

  constructor(onReply: (reply: PoolReply) => void) {
    // Never asked to `release`, so never answers `released`.
    this.#runner = new BatchRunner((reply) => reply.type !== 'released' && onReply(reply), true, true);
  }

  ask(request: WorkerRequest): void {
    this.#runner.handle(request);
  }

  send(job: WorkerJob): void {
    this.jobs.add(job.id);
    this.#runner.handle(job);
  }

  finished(id: number | undefined): void {
    if (id !== undefined) this.jobs.delete(id);
  }

  release(): Promise<void> {
    return this.terminate();
  }

  terminate(): Promise<void> {
    this.#runner.close();
    return Promise.resolve();
  }
}

class Pool<R> implements WorkerBatchReader<R> {
  readonly #path: string;
  readonly #plan: (schema: Schema) => WorkerPlan<R>;
  readonly #select: WorkerReadOptions['columns'];
  readonly #rangeBytes: number;
  /** The plan's `merge`, once the file is planned: only then are batches split into row ranges. */
  #merge: ((parts: R[]) => R) | undefined;
  /** Non-empty Arrow IPC batches planned (a batch split into row ranges counts once). */
  #batchesPlanned = 0;
  readonly #threads: number;
  readonly #inline: boolean;
  readonly #window: number;
  readonly #limit: number | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onProgress: ((p: ReadProgress) => void) | undefined;
  readonly #allowMissingEnd: boolean;
  readonly #part:
    | { readonly first: number; readonly end: number; readonly seek?: number | undefined }
    | undefined;
  /** Workers first, then this thread (`inThisThread`); workers are added as jobs are planned. */
  readonly #pool: PoolThread[];
  readonly #slots = new Map<number, Slot>();
  /** Jobs planned and not yet handed to a thread, in order. */
  readonly #queue: WorkerJob[] = [];
  /** Parquet: the thread that took the last job of each row group (see #threadFor). */
  readonly #groupThreads = new Map<number, PoolThread>();
  /** Parquet: the row group of each job handed out and not answered, to name it if its decoder traps. */
  readonly #rowGroups = new Map<number, number>();
  /** Parquet jobs this thread took and has not answered: one it leaves (`elsewhere`) goes to a worker. */
  readonly #inlineJobs = new Map<number, WorkerJob>();
  /** This thread left a Parquet job to a worker: it takes no more of the file's (see {@link #inlineTakes}). */
  #inlineRefused = false;
  /** The file, open here for the pool's life; every thread reads it through its descriptor. */
  #handle: FileHandle | undefined;
  /** Sent to each worker as it starts, once the file is planned. */
  #setupMessage: WorkerSetup | undefined;
  #columns: readonly string[] = [];
  /** The input is Parquet (known once its magic bytes are read). */
  #parquet = false;
  /** A thread has been sent the file's descriptor. */
  #shared = false;
  #opening: Promise<Opened> | undefined;
  #opened: Opened | undefined;
  #meta: { resolve(meta: ParquetMeta): void; reject(error: unknown): void } | undefined;
  /** A Parquet file's schema as its footer gave it, for the workers (see `WorkerSetup.parquetSchema`). */
  #parquetSchema: Uint8Array | undefined;
  #failure: Error | undefined;
  /** Every result handed out, the end too: the threads may serve the next pool (see `PoolWorker.release`). */
  #complete = false;
  #closed = false;
  /** The pool's teardown, once begun (see {@link close}). */
  #closing: Promise<void> | undefined;
  #iterating = false;
  #pumping = false;
  #scanDone = false;
  /** Jobs planned (given an id), and jobs whose results were handed out. */
  #planned = 0;
  #consumed = 0;
  /**
   * Batches (a row range counts as one) of the jobs planned and not yet handed out: the window
   * (`inFlight`) counts these, not jobs, as each batch's result is held until it is handed out
   * (a metric's state can be megabytes whatever the batch's rows, so a job of 64 small batches
   * must count 64).
   */
  #batchesInFlight = 0;
  #rowsPlanned = 0;
  #rows = 0;
  #index = 0;
  /**
   * Batches handed out so far, counting from the first of the input (or part); `undefined` before
   * the first, when it is `#index` (which starts at a part's first batch).
   */
  #batchesOut: number | undefined;
  #bytesRead = 0;
  #size = 0;
  /** The file's version when it was opened: every result is checked against it (see `fileVersion`). */
  #version: FileVersion | undefined;
  /** With `LOSSFLOW_TRACE=1`: each thread's jobs answered, ms busy in them, and its last reply. */
  readonly #traced = new Map<PoolThread, { jobs: number; busy: number; last: number }>();
  readonly #onAbort = (): void =>
    this.#fail(new ArrowReadError('ABORTED', 'reading was aborted', { file: this.#path }));

  constructor(path: string, plan: (schema: Schema) => WorkerPlan<R>, options: WorkerReadOptions) {
    this.#path = path;
    this.#select = options.columns;
    this.#plan = plan;
    // Checked before any thread starts: a bad count is never rounded, clamped or ignored.
    this.#threads = countOption('threads', options.threads, 1, MAX_THREADS) ?? 2;
    this.#window = countOption('inFlight', options.inFlight, 1) ?? 8 * this.#threads;
    this.#limit = countOption('limit', options.limit, 0);
    this.#rangeBytes = countOption('rangeBytes', options.rangeBytes, 1) ?? RANGE_BYTES;
    this.#signal = options.signal;
    this.#onProgress = options.onProgress;
    this.#allowMissingEnd = options.allowMissingEndOfStream === true;
    if (options.part !== undefined) {
      const first = countOption('part.first', options.part.first, 0) ?? 0;
      const end = countOption('part.end', options.part.end, first) ?? first;
      const seek = countOption('part.seek', options.part.seek, 0);
      this.#part = { first, end, ...(seek === undefined ? {} : { seek }) };
    }
    this.#inline = options.inThisThread === true;
    traceMark(`pool: created for ${path}`);
    // This thread comes last, as #freeThread gives jobs to workers first.
    const inline = this.#inline ? new InlineThread((reply) => this.#onReply(inline!, reply)) : undefined;
    this.#pool = inline === undefined ? [] : [inline];
    // One worker now, so its start-up overlaps opening and scanning the file; the others start
    // as jobs are planned (#pump), so a small file never starts more threads than it has jobs.
    // When this thread takes jobs too, it computes the first one itself: a worker is taken now
    // only if one was started ahead (prestartWorkers), else once a second job is planned, so a
    // one-job file (a command line's small log) costs no thread start-up and no teardown.
    if (this.#threads > (this.#inline ? 1 : 0) && (!this.#inline || waitingWorkers() > 0)) this.#spawn();
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get progress(): ReadProgress {
    return {
      bytesRead: this.#bytesRead,
      totalBytes: this.#size,
      rows: this.#rows,
      batches: this.#batchesOut ?? this.#index,
    };
  }

  async format(): Promise<FileFormat> {
    return (await this.#open()).format;
  }

  async schema(): Promise<Schema> {
    return (await this.#open()).schema;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    for (const slot of this.#slots.values())
      slot.reject(new ArrowReadError('CLOSED', 'the reader was closed', { file: this.#path }));
    this.#meta?.reject(new ArrowReadError('CLOSED', 'the reader was closed', { file: this.#path }));
    // Only a pool read to its end leaves its threads to the next one: after a failure, an abort or
    // a reader that stopped early, one may still be running a job.
    await Promise.all(this.#pool.map((w) => (this.#complete ? w.release() : w.terminate())));
    const opened = this.#opening === undefined ? undefined : await this.#opening.catch(() => undefined);
    await opened?.close().catch(() => undefined);
    // Only now that no thread is left that could read through its descriptor.
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<WorkerResult<R>> {
    if (this.#iterating) {
      throw new ArrowReadError('CLOSED', 'this reader is already being iterated', {
        file: this.#path,
        hint: 'Call mapBatchesInWorkers again to read the input a second time.',
      });
    }
    this.#iterating = true;
    // Results to hand out, each with the end of its batch's data in the file (for progress).
    const pending: { result: WorkerResult<R>; end: number }[] = [];
    // The results and rows of the row ranges of the batch being merged (see `WorkerPlan.merge`).
    let parts: R[] = [];
    let partRows = 0;
    let failed: Error | undefined;
    // The end of the failing batch's data: progress reaches it when its error is thrown.
    let failedEnd = 0;
    let done = false;
    const finish = async (): Promise<IteratorResult<WorkerResult<R>>> => {
      done = true;
      await this.close();
      return { done: true, value: undefined };
    };
    return {
      next: async (): Promise<IteratorResult<WorkerResult<R>>> => {
        for (;;) {
          // An abort ends the reading at once: results the threads finished before it, and those of
          // a batch partly handed out, are not handed out after it.
          if (!done && this.#signal?.aborted === true) {
            const error =
              this.#failure ?? new ArrowReadError('ABORTED', 'reading was aborted', { file: this.#path });
            pending.length = 0;
            await finish();
            throw error;
          }
          const ready = pending.shift();
          if (ready !== undefined) {
            // Progress moves as each result is handed out (and onProgress is called then), not
            // when its job's reply comes: a job of many small batches would otherwise report
            // batches, rows and bytes the consumer has not been given (a consumer that stops
            // early, or records how far it got, would count them as read).
            this.#rows += ready.result.rows;
            this.#batchesOut = ready.result.index + 1;
            this.#bytesRead = Math.max(this.#bytesRead, ready.end);
            this.#onProgress?.(this.progress);
            return { done: false, value: ready.result };
          }
          if (failed !== undefined) {
            const error = failed;
            failed = undefined;
            this.#bytesRead = Math.max(this.#bytesRead, failedEnd);
            throw error;
          }
          if (done) return { done: true, value: undefined };
          let reply: Done;
          try {
            await this.#open();
            this.#refill();
            reply = await this.#slot(this.#consumed).promise;
          } catch (e) {
            // A file rewritten mid-read often looks damaged: say that it changed instead.
            const error = await changedOr(e, () => this.#verifyUnchanged());
            await finish();
            throw error;
          }
          const slot = this.#slots.get(this.#consumed)!;
          // The error of the job's failing batch (a loss's, the task's, the reader's), which comes
          // after the results the reply carries before it (a batch cut here: its ranges', dropped).
          const failure =
            reply === END || reply.error === undefined
              ? undefined
              : reviveError(reply.error, { batch: this.#index + (slot.cutHere ? 0 : reply.values.length) });
          // Each result, the end and a batch's error only once the file is seen unchanged after it
          // was read: bytes written meanwhile can make a task fail, and that is CHANGED, the task's
          // error its cause. A row range before its batch's last hands nothing out: the check after
          // the last range, whose reply comes after theirs, covers their bytes too (one fstat per
          // batch, not per range).
          if (reply === END || failure !== undefined || slot.range === undefined || slot.range.last) {
            const reported = await changedOr(failure, () => this.#verifyUnchanged());
            if (reported !== failure) {
              await finish();
              throw reported;
            }
          }
          if (reply === END) {
            if (tracing) this.#traceEnd();
            // Every result is out: the threads end, and then the file closes, in the background, so
            // the caller's last step (a command line printing its result) never waits for thread
            // teardown (tens of ms a worker on a busy machine); close() still awaits all of it.
            done = true;
            this.#complete = true;
            void this.close();
            return { done: true, value: undefined };
          }
          this.#slots.delete(this.#consumed);
          this.#consumed++;
          this.#batchesInFlight -= slot.ends.length;
          if (slot.cutHere && reply.error !== undefined) {
            // A range's error is its batch's: the ranges before it are dropped, never handed out.
            reply = { ...reply, values: [], rows: [] };
          } else if (slot.cutHere && reply.values.length > 1) {
            // The batch's ranges, cut by the worker, merged as the ranges the pool cuts are.
            let value: R;
            try {
              value = this.#merge!(reply.values as R[]);
            } catch (e) {
              await finish();
              throw e instanceof ArrowReadError ? e.withContext({ file: this.#path, batch: this.#index }) : e;
            }
            reply = { ...reply, values: [value], rows: [reply.rows.reduce((a, b) => a + b, 0)] };
          }
          if (slot.range !== undefined && reply.error === undefined) {
            // A row range: its batch's result is the merge of its ranges, handed out after the last.
            parts.push(reply.values[0] as R);
            partRows += reply.rows[0]!;
            if (slot.range.last) {
              let value: R;
              try {
                value = this.#merge!(parts);
              } catch (e) {
                // A merge that refuses the ranges (rows of a list column ragged across them).
                await finish();
                throw e instanceof ArrowReadError
                  ? e.withContext({ file: this.#path, batch: this.#index })
                  : e;
              }
              pending.push({ result: { index: this.#index++, rows: partRows, value }, end: slot.ends[0]! });
              parts = [];
              partRows = 0;
            }
            this.#refill();
            continue;
          }
          // A range's error is its batch's: the ranges before it are dropped, never handed out.
          parts = [];
          partRows = 0;
          // The end of the job's i-th batch (a Parquet job has one).
          const endOf = (i: number) => slot.ends[Math.min(i, slot.ends.length - 1)] ?? 0;
          for (const [i, value] of reply.values.entries()) {
            const rows = reply.rows[i]!;
            pending.push({ result: { index: this.#index++, rows, value: value as R }, end: endOf(i) });
          }
          if (failure !== undefined) {
            failedEnd = endOf(reply.values.length);
            // The results before the failing batch are handed out first, then its error.
            failed = failure;
            await finish();
            continue;
          }
          this.#refill();
        }
      },
      return: finish,
    };
  }

  /**
   * Fails with `CHANGED` when the open file is no longer the version opened: written in place or
   * appended to, so results could mix its two versions. An `fstat` of the descriptor every thread
   * reads, after the bytes of a result were read; synchronous (see `checkFileVersionSync`).
   */
  async #verifyUnchanged(): Promise<void> {
    const handle = this.#handle;
    const version = this.#version;
    if (handle !== undefined && version !== undefined) checkFileVersionSync(handle.fd, version, this.#path);
  }

  /** Starts a worker (before this thread in the pool) and sets it up if the file is planned. */
  #spawn(): PoolWorker {
    const w: PoolWorker = new PoolWorker(
      (reply) => this.#onReply(w, reply),
      (error) => {
        if (!this.#closed) this.#fail(this.#workerFailure(w, error));
      },
    );
    this.#pool.splice(this.#workerCount(), 0, w);
    traceMark(`pool: worker ${w.label} taken`);
    if (this.#setupMessage !== undefined) w.ask(this.#setupMessage);
    return w;
  }

  #workerCount(): number {
    let n = 0;
    for (const t of this.#pool) if (t instanceof PoolWorker) n++;
    return n;
  }

  /** Workers the pool may run: `threads`, less this thread when it takes jobs too. */
  #workerTarget(): number {
    return this.#threads - (this.#inlineTakes() ? 1 : 0);
  }

  /**
   * Whether this thread takes jobs (`inThisThread`). Parquet's only while the fast path reads
   * them and with 2 threads or more (the first is the worker that reads the footer): it never runs
   * parquet-wasm, whose traps no caller can catch, so a job that needs it goes to a worker, and
   * from then on all of the file's do (see `WorkerReply`'s `elsewhere`).
   */
  #inlineTakes(): boolean {
    if (!this.#inline) return false;
    return this.#opened?.format !== 'parquet' || (this.#threads > 1 && !this.#inlineRefused);
  }

  /**
   * A worker's failure as the pool reports it: a trap of the Parquet decoder (a damaged page; see
   * `isDecoderTrap`) is `CORRUPT` naming the row group it was decoding, else the failure as it is.
   */
  #workerFailure(w: PoolWorker, error: Error): Error {
    const cause = error.cause ?? error;
    // A task's own exceptions are caught in the worker (BatchRunner): an uncaught one in a Parquet
    // pool is the decoder trapping in a promise callback.
    if (!this.#parquet || !isDecoderTrap(cause)) return error;
    // Before the file is planned, the worker was reading the footer.
    if (this.#opened === undefined) return decoderTrapError(cause, this.#path, undefined, undefined);
    // The job it was running, as it said in shared memory (its replies may still be on their way).
    const running = Atomics.load(w.running, 0);
    const rowGroup = running === 0 ? undefined : this.#rowGroups.get(running - 1);
    return decoderTrapError(cause, this.#path, rowGroup, rowGroup === undefined ? undefined : this.#columns);
  }

  #onReply(thread: PoolThread, reply: PoolReply): void {
    if (reply.type === 'fatal') {
      this.#fail(reviveError(reply.error));
      return;
    }
    if (reply.type === 'parquetMeta') {
      thread.finished(undefined);
      this.#meta?.resolve(reply.meta);
      return;
    }
    if (reply.type === 'ready') {
      thread.finished(undefined);
      thread.ready = true;
      traceMark(`pool: thread ${thread.label} ready`);
    } else {
      thread.finished(reply.id);
      if (tracing) this.#traceReply(thread, reply);
      const left = this.#inlineJobs.get(reply.id);
      this.#inlineJobs.delete(reply.id);
      if (reply.elsewhere === true && left !== undefined) {
        // Ahead of the jobs planned after it (its row group still known, should its decoder
        // trap); a worker is started in this thread's place.
        this.#inlineRefused = true;
        this.#queue.unshift(left);
        if (left.type === 'rowGroup') this.#groupThreads.delete(left.rowGroup);
        if (this.#workerCount() < this.#workerTarget()) this.#spawn();
      } else {
        this.#rowGroups.delete(reply.id);
        this.#slots.get(reply.id)?.resolve(reply);
      }
    }
    // A thread is free for another job.
    if (this.#opened !== undefined) this.#refill();
  }

  #traceReply(thread: PoolThread, reply: Extract<WorkerReply, { type: 'done' }>): void {
    const seen = this.#traced.get(thread) ?? { jobs: 0, busy: 0, last: 0 };
    seen.jobs++;
    seen.busy = reply.busy ?? seen.busy;
    seen.last = traceNow();
    this.#traced.set(thread, seen);
  }

  /** Each thread's share of the run, once every result is out. */
  #traceEnd(): void {
    traceMark(`pool: last result out (${this.#planned} jobs, ${this.#rows} rows)`);
    for (const [thread, seen] of this.#traced) {
      traceMark(
        `pool: thread ${thread.label}: ${seen.jobs} jobs, ${seen.busy.toFixed(1)} ms in them, last reply at ${seen.last.toFixed(1)} ms`,
      );
    }
  }

  /** The deferred result of job `id`, created on first use; never an unhandled rejection. */
  #slot(id: number): Slot {
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      let resolve!: (done: Done) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<Done>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined);
      slot = { promise, resolve, reject, ends: [], range: undefined, cutHere: false };
      this.#slots.set(id, slot);
      // Asked for after close() (a next() that was waiting for the file to open): settle it now.
      if (this.#closed) reject(new ArrowReadError('CLOSED', 'the reader was closed', { file: this.#path }));
    }
    return slot;
  }

  /** Ends everything with `error`: jobs in flight and the next job to hand out reject with it. */
  #fail(error: Error): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#failure = error;
    this.#meta?.reject(error);
    for (let id = this.#consumed; id <= this.#planned; id++) this.#slot(id).reject(error);
    for (const w of this.#pool) void w.terminate();
  }

  #open(): Promise<Opened> {
    this.#opening ??= this.#openInput().then((o) => {
      traceMark('pool: file opened and planned');
      this.#opened = o;
      return o;
    });
    return this.#opening;
  }

  async #openInput(): Promise<Opened> {
    const file = this.#path;
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (e) {
      throw ioError(e, file);
    }
    // Kept open until close(), after every thread has ended: they all read through it.
    this.#handle = handle;
    try {
      const stat = await settledStat(handle);
      if (!stat.isFile()) {
        throw new ArrowReadError(
          'UNSUPPORTED',
          'worker threads read regular files only, not a pipe or device',
          {
            file,
            hint: 'Read a pipe or stream with readBatches (in this thread), or save it to a file first.',
          },
        );
      }
      this.#size = Number(stat.size);
      this.#version = versionOf(stat);
    } catch (e) {
      this.#handle = undefined;
      await handle.close().catch(() => undefined);
      throw ioError(e, file);
    }
    try {
      const head = new Uint8Array(MAGIC_BYTES);
      await handle.read(head, 0, MAGIC_BYTES, 0);
      const detected = detectFormat(head);
      return detected === 'parquet' ? await this.#openParquet(handle) : await this.#openIpc(handle, detected);
    } catch (e) {
      // Once a thread has the descriptor, only close() may close it, after ending the threads.
      if (!this.#shared) {
        this.#handle = undefined;
        await handle.close().catch(() => undefined);
      }
      throw e;
    }
  }

  /**
   * Arrow IPC: the message headers are scanned here; a job is a run of consecutive small batches,
   * a batch, or a row range of one (see its `next`). A stream's schema is
   * decoded from its first message, a file's from its footer: never through the in-thread reader,
   * which would read the first batch whole (a big batch's memory in this thread). Only an input the
   * scan rejects goes through that reader, which reports a bad input as it always does.
   */
  async #openIpc(handle: FileHandle, detected: FileFormat | undefined): Promise<Opened> {
    const file = this.#path;
    let scan: IpcScan | undefined;
    let schema: Schema | undefined;
    let scanError: unknown;
    if (detected !== undefined) {
      try {
        const headers = syncPositionalReads(handle.fd);
        scan =
          detected === 'arrow-file'
            ? await scanIpcFile(headers, this.#size, file, this.#part?.seek)
            : await scanIpcStream(headers, this.#size, file, this.#allowMissingEnd, this.#part?.seek);
        // Scanning from the part's first batch: the batches before it are counted, not read.
        if (this.#part?.seek !== undefined) this.#batchesPlanned = this.#part.first;
        if (scan.schemaMessage !== undefined) schema = Message.decode(scan.schemaMessage).header() as Schema;
        else if (scan.footer !== undefined) schema = Footer.decode(scan.footer).schema;
      } catch (e) {
        scanError = e;
      }
    }
    let format = detected;
    if (schema === undefined || format === undefined) {
      // Through the pool's handle: the path may name another file by now.
      const probe = readOpenFile(FileByteReader.over(file, handle, this.#size, undefined), {
        allowMissingEndOfStream: this.#allowMissingEnd,
      });
      try {
        format = await probe.format();
        schema = await probe.schema();
      } finally {
        await probe.close();
      }
    }
    if (scan === undefined)
      throw scanError ?? new ArrowReadError('CORRUPT', 'the input cannot be scanned', { file });
    const { schema: visible, names, layouts, columnError } = this.#setUp(schema);
    const batches = scan.batches();
    const part = this.#part;
    if (part !== undefined) this.#index = part.first;
    // A list column's offsets where its row ranges start (a few bytes a range; see rowRangePlans).
    const readAt: ReadBytesAt = async (into, position) => {
      let done = 0;
      try {
        while (done < into.length) {
          const bytesRead = readSync(handle.fd, into, done, into.length - done, position + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
      } catch (e) {
        throw ioError(e, file);
      }
      if (done < into.length) {
        throw new ArrowReadError(
          'TRUNCATED',
          `the file ends at byte ${position + done}, inside a record batch`,
          {
            file,
            hint: 'The file was cut short or is being rewritten: copy it again.',
          },
        );
      }
    };
    // The row ranges of the batch being planned not yet handed to the pool, and its body end.
    let ranges: BatchReadPlan[] = [];
    let rangeAt = 0;
    let rangesEnd = 0;
    const rangeJob = (): PlannedJob => {
      const block = ranges[rangeAt++]!;
      return {
        rows: block.rows,
        ends: [rangesEnd],
        range: { last: rangeAt === ranges.length },
        request: (id) => ({ type: 'block', id, blocks: [block] }),
      };
    };
    /** A non-empty batch's read plans (its row ranges, or the batch whole) and its body end. */
    type PlannedBatch = { readonly plans: BatchReadPlan[]; readonly end: number };
    // Planned ahead of a job it did not fit in: the next job starts with it (or with its error,
    // once the job before it is handed out, as if each batch were a job).
    let held: { batch: PlannedBatch } | { error: unknown } | undefined;
    /** The next non-empty batch of the input (or part), planned with `planned` rows before it. */
    const nextBatch = async (planned: number): Promise<PlannedBatch | undefined> => {
      if (held !== undefined) {
        const h = held;
        held = undefined;
        if ('error' in h) throw h.error;
        return h.batch;
      }
      let at: IpcBatchAt;
      for (;;) {
        if (part !== undefined && this.#batchesPlanned >= part.end) return undefined;
        const next = await batches.next();
        if (next.done === true) return undefined;
        at = next.value;
        // Batches without rows are passed over, as the in-thread reader does.
        if (at.header.rows === 0) continue;
        // Only the headers of the batches before the part are read.
        if (part !== undefined && this.#batchesPlanned < part.first) {
          this.#batchesPlanned++;
          continue;
        }
        break;
      }
      const { header, bodyOffset, bodyLength } = at;
      const rows = this.#limit === undefined ? header.rows : Math.min(header.rows, this.#limit - planned);
      const index = this.#batchesPlanned;
      if (columnError !== undefined) throw columnError.withContext({ batch: index });
      const plans = await ipcBatchPlans(
        scan,
        at,
        names,
        layouts,
        index,
        rows,
        file,
        this.#merge === undefined ? undefined : this.#rangeBytes,
        readAt,
      );
      this.#batchesPlanned++;
      return { plans, end: bodyOffset + bodyLength };
    };
    return {
      format,
      schema: visible,
      handle,
      // A batch bigger than a range is cut into row ranges, a job each. Smaller consecutive
      // batches are joined into one job of up to `rangeBytes` of reads (and BATCHES_PER_JOB
      // batches): a job of a small batch costs this thread about as much to plan, post and hear
      // back as a worker spends computing it, so one batch per job left this thread the bottleneck
      // and the workers idle. A job never crosses a part's end or the row limit.
      next: async (planned, maxBatches) => {
        if (rangeAt < ranges.length) return rangeJob();
        const first = await nextBatch(planned);
        if (first === undefined) return undefined;
        if (first.plans.length > 1) {
          ranges = first.plans;
          rangeAt = 0;
          rangesEnd = first.end;
          return rangeJob();
        }
        const blocks = [first.plans[0]!];
        const ends = [first.end];
        let rows = blocks[0]!.rows;
        let bytes = blocks[0]!.ioBytes;
        const limit = this.#limit;
        while (
          blocks.length < Math.min(BATCHES_PER_JOB, maxBatches) &&
          (limit === undefined || planned + rows < limit)
        ) {
          let after: PlannedBatch | undefined;
          try {
            after = await nextBatch(planned + rows);
          } catch (error) {
            held = { error };
            break;
          }
          if (after === undefined) break;
          const block = after.plans[0]!;
          if (after.plans.length > 1 || bytes + block.ioBytes > this.#rangeBytes) {
            held = { batch: after };
            break;
          }
          blocks.push(block);
          ends.push(after.end);
          rows += block.rows;
          bytes += block.ioBytes;
        }
        return { rows, ends, range: undefined, request: (id) => ({ type: 'block', id, blocks }) };
      },
      // The handle is closed by close(), once every thread has ended.
      close: async () => {
        await batches.return().catch(() => undefined);
      },
    };
  }

  /**
   * Parquet: the first worker reads the footer (row group sizes, schema, codecs); then each batch
   * of a row group (65,536 rows, as the in-thread reader decodes them), or with the plan's merge
   * each row range of a batch (as an Arrow IPC batch of the same rows is cut), is a job: every
   * thread decodes and computes the rows of a big row group, each reading only its rows' pages.
   */
  async #openParquet(handle: FileHandle): Promise<Opened> {
    const file = this.#path;
    this.#parquet = true;
    // Loaded on the first Parquet file only: the footer check brings the Parquet readers (hyparquet,
    // the fast path's decoders), which an Arrow IPC file's pool never needs.
    const [{ checkParquetTail }, { rejectUnsupportedCodecs }] = await Promise.all([
      import('../parquet/readParquet.js'),
      import('../parquet/unsupportedCodec.js'),
    ]);
    // A file cut short is TRUNCATED (as the in-thread reader says), not a corrupt footer.
    await checkParquetTail(
      file,
      this.#size,
      async (into, position) => (await handle.read(into, 0, 4, position)).bytesRead,
    );
    // Closed meanwhile: close() has ended the threads it knew, so start none.
    if (this.#closed) throw new ArrowReadError('CLOSED', 'the reader was closed', { file });
    // parquet-wasm traps on some damaged files in a way no caller can catch, so it only ever runs
    // in worker threads (see parquet/parquetFile.ts), the first of which reads the footer now; this
    // thread, one of `threads`, computes only the jobs the fast path reads (see #inlineTakes). When
    // it computes jobs, it reads the footer itself where hyparquet's parser alone reads it (it loads
    // the fast path's readers for its jobs anyway), so its jobs start while the worker starts.
    if (this.#workerCount() === 0) this.#spawn();
    const local =
      this.#inline && this.#threads > 1
        ? (await import('../parquet/parquetRowGroups.js')).localParquetMeta(handle.fd, this.#size)
        : undefined;
    if (this.#closed) throw new ArrowReadError('CLOSED', 'the reader was closed', { file });
    const decoder = this.#pool[0]!;
    const meta =
      local ??
      (await new Promise<ParquetMeta>((resolve, reject) => {
        this.#meta = { resolve, reject };
        this.#shared = true;
        decoder.ask({ type: 'parquetMeta', fd: handle.fd, size: this.#size, path: file });
      }).finally(() => {
        this.#meta = undefined;
      }));
    this.#parquetSchema = meta.schema;
    let schema: Schema;
    try {
      schema = tableFromIPC(meta.schema).schema;
    } catch (e) {
      throw new ArrowReadError('CORRUPT', `the Parquet schema cannot be converted: ${String(e)}`, {
        file,
        cause: e,
      });
    }
    const { schema: visible, names, layouts, columnError } = this.#setUp(schema);
    rejectUnsupportedCodecs(meta.unsupported, (column) => names.includes(column), file);
    const total = meta.rowGroups.reduce((a, b) => a + b, 0);
    // With the plan's merge, a batch is cut into the row ranges an Arrow IPC batch of the same rows
    // would be (and this thread cuts it into, in rx): the same bits for any thread count.
    const step = this.#merge === undefined ? undefined : rangeRows(layouts, this.#rangeBytes);
    // A list column's ranges depend on its list lengths, which only the decoded pages tell: the
    // worker cuts such a batch (the same rule, `rangeRows`) and the pool merges its ranges' values.
    const cutHere =
      this.#merge !== undefined && step === undefined && layouts.some((l) => l.list !== undefined);
    const rangeBytes = this.#rangeBytes;
    const size = this.#size;
    const limit = this.#limit;
    // A part (a distributed work item) reads only its row groups; the results' index still counts
    // the batches of the row groups before it, as decoded.
    const part = this.#part;
    const firstGroup = part?.first ?? 0;
    const lastGroup = Math.min(part?.end ?? meta.rowGroups.length, meta.rowGroups.length);
    let skippedRows = 0;
    for (let g = 0; g < firstGroup && g < meta.rowGroups.length; g++) {
      const rows = meta.rowGroups[g]!;
      skippedRows += rows;
      this.#index += Math.ceil(rows / Math.max(1, Math.min(PARQUET_BATCH_ROWS, rows)));
    }
    const jobs = function* (pool: Pool<R>): Generator<PlannedJob> {
      let before = skippedRows;
      let taken = 0;
      for (let rowGroup = firstGroup; rowGroup < lastGroup; rowGroup++) {
        const rows = meta.rowGroups[rowGroup]!;
        if (rows === 0) continue;
        const left = limit === undefined ? rows : Math.min(rows, limit - taken);
        // Batches of a row group as the in-thread reader decodes them.
        const batchSize = Math.max(1, Math.min(PARQUET_BATCH_ROWS, rows));
        for (let batchFirst = 0; batchFirst < left; batchFirst += batchSize) {
          const batchRows = Math.min(batchSize, left - batchFirst);
          const cut = step !== undefined && batchRows > step;
          const part = cut ? step : batchRows;
          for (let first = 0; first < batchRows; first += part) {
            const count = Math.min(part, batchRows - first);
            const through = before + batchFirst + first + count;
            taken += count;
            yield {
              rows: count,
              ends: [total === 0 ? size : Math.round((size * through) / total)],
              range: cut ? { last: first + count >= batchRows } : undefined,
              cutHere,
              request: (id) => {
                if (columnError !== undefined) throw columnError.withContext({ batch: pool.#index });
                pool.#rowGroups.set(id, rowGroup);
                return {
                  type: 'rowGroup',
                  id,
                  rowGroup,
                  batchSize,
                  limit: left < rows ? left : undefined,
                  batchFirst,
                  first,
                  rows: count,
                  rangeBytes: cut || cutHere ? rangeBytes : undefined,
                  cutHere,
                };
              },
            };
          }
        }
        before += rows;
      }
    };
    const planned = jobs(this);
    return {
      format: 'parquet',
      schema: visible,
      handle: undefined,
      next: async () => {
        const next = planned.next();
        return next.done === true ? undefined : next.value;
      },
      close: async () => undefined,
    };
  }

  /** Plans the task for the schema and sets the workers up; a column that cannot be read becomes the first batch's error. */
  #setUp(file: Schema): {
    schema: Schema;
    names: string[];
    layouts: TensorLayout[];
    columnError: ArrowReadError | undefined;
  } {
    const select = this.#select;
    const schema =
      select === undefined
        ? file
        : projectSchema(file, typeof select === 'function' ? select(file) : select, { file: this.#path });
    const { columns, task, merge } = this.#plan(schema);
    this.#merge = merge;
    const names = [...new Set(columns)];
    let columnError: ArrowReadError | undefined;
    const layouts: TensorLayout[] = names.map((name) => {
      const field = schema.fields.find((f) => f.name === name);
      if (field === undefined) {
        columnError ??= missingColumnError(schema, name, {});
        return UNUSABLE;
      }
      const layout = tensorLayout(field);
      if (layout.usable) return layout;
      columnError ??= new ArrowReadError(layout.code, `${layout.reason} (type ${String(field.type)})`, {
        column: name,
        hint: layout.hint,
      });
      return UNUSABLE;
    });
    const setup: WorkerSetup = {
      type: 'setup',
      fd: this.#handle!.fd,
      size: this.#size,
      path: this.#path,
      module: task.module.toString(),
      data: task.data,
      names,
      layouts,
      ...(this.#parquetSchema === undefined ? {} : { parquetSchema: this.#parquetSchema }),
    };
    this.#setupMessage = setup;
    this.#shared = true;
    this.#columns = names;
    for (const w of this.#pool) w.ask(setup);
    return { schema, names, layouts, columnError };
  }

  /** Starts {@link #pump} without waiting for it; anything it did not expect ends the pool. */
  #refill(): void {
    this.#pump().catch((e: unknown) => this.#fail(e instanceof Error ? e : new Error(String(e))));
  }

  /**
   * Plans jobs while fewer than the window are out, and hands them to free threads (see
   * {@link #freeThread}). While the pool has fewer workers than `threads`, it plans ahead of the
   * free threads and starts a worker for each planned job no thread can take, so threads start
   * only when there is work for them, and a big file's workers start at once, side by side.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const opened = this.#opened!;
      for (;;) {
        if (this.#closed) break;
        let pick = this.#nextHandout();
        for (; pick !== undefined && pick !== 'plan'; pick = this.#nextHandout()) {
          const t = pick.thread;
          const [job] = this.#queue.splice(pick.at, 1) as [WorkerJob];
          if (job.type === 'rowGroup') this.#groupThreads.set(job.rowGroup, t);
          if (job.type === 'rowGroup' && t instanceof InlineThread) this.#inlineJobs.set(job.id, job);
          if (tracing && !this.#traced.has(t)) {
            traceMark(`pool: first job (${job.id}) to thread ${t.label}`);
            this.#traced.set(t, { jobs: 0, busy: 0, last: 0 });
          }
          t.send(job);
        }
        if (this.#scanDone || this.#batchesInFlight >= this.#window) break;
        const canStart = this.#workerCount() < this.#workerTarget();
        if (pick !== 'plan' && !canStart && (this.#queue.length > 0 || this.#freeThread() === undefined))
          break;
        const id = this.#planned;
        if (this.#failure !== undefined) {
          this.#scanDone = true;
          this.#slot(id).reject(this.#failure);
          break;
        }
        if (this.#limit !== undefined && this.#rowsPlanned >= this.#limit) {
          this.#scanDone = true;
          this.#slot(id).resolve(END);
          break;
        }
        let planned: PlannedJob | undefined;
        let job: WorkerJob;
        try {
          // Within the window, and small enough that it holds several jobs for each thread.
          const maxBatches = Math.max(
            1,
            Math.min(this.#window - this.#batchesInFlight, Math.floor(this.#window / (2 * this.#threads))),
          );
          planned = await opened.next(this.#rowsPlanned, maxBatches);
          if (this.#closed) break;
          if (planned === undefined) {
            this.#scanDone = true;
            this.#slot(id).resolve(END);
            break;
          }
          job = planned.request(id);
        } catch (e) {
          this.#scanDone = true;
          this.#slot(id).reject(
            e instanceof ArrowReadError
              ? e.withContext({ file: this.#path, batch: this.#batchAfterPlanned() })
              : e,
          );
          break;
        }
        const slot = this.#slot(id);
        slot.ends = planned.ends;
        slot.range = planned.range;
        slot.cutHere = planned.cutHere === true;
        this.#planned++;
        this.#batchesInFlight += planned.ends.length;
        this.#rowsPlanned += planned.rows;
        this.#queue.push(job);
        // A thread per job, up to `threads`: never more threads than jobs.
        if (this.#planned > this.#takers() && this.#workerCount() < this.#workerTarget()) this.#spawn();
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The queued job to hand out next (its place in the queue) and its thread; `'plan'` to plan
   * another job first; `undefined` when none can go now. A Parquet job goes to the thread that took
   * the last job of its row group while it has room: that thread has the row group's pages at
   * hand (a page it decompressed serves the next rows too). While that thread is full, a free
   * thread takes the first job of a row group no other thread holds, planned ahead if need be
   * (within the window), rather than decompress the same pages again: a ZSTD page, decompressed
   * whole, cost each of two threads its full time. Only when there is none does it share one.
   */
  #nextHandout(): { at: number; thread: PoolThread } | 'plan' | undefined {
    const head = this.#queue[0];
    if (head === undefined) return undefined;
    if (head.type === 'rowGroup') {
      const t = this.#groupThreads.get(head.rowGroup);
      if (
        t?.ready &&
        t.jobs.size < JOBS_PER_THREAD &&
        this.#pool.includes(t) &&
        (this.#inlineTakes() || !(t instanceof InlineThread))
      )
        return { at: 0, thread: t };
    }
    const free = this.#freeThread();
    if (free === undefined) return undefined;
    const at = this.#queue.findIndex((job) => !this.#heldElsewhere(job, free));
    if (at >= 0) return { at, thread: free };
    return !this.#scanDone && this.#batchesInFlight < this.#window ? 'plan' : { at: 0, thread: free };
  }

  /** Whether a thread other than `free` holds a job of `job`'s row group (a Parquet job). */
  #heldElsewhere(job: WorkerJob, free: PoolThread): boolean {
    if (job.type !== 'rowGroup') return false;
    const t = this.#groupThreads.get(job.rowGroup);
    if (t === undefined || t === free || !this.#pool.includes(t)) return false;
    for (const id of t.jobs) if (this.#rowGroups.get(id) === job.rowGroup) return true;
    return false;
  }

  /** Threads that take jobs of this file, started or starting: workers, and this thread if it does (see {@link #inlineTakes}). */
  #takers(): number {
    return this.#workerCount() + (this.#inlineTakes() ? 1 : 0);
  }

  /**
   * The first ready thread that can take another job, workers first: this thread takes one only
   * when no ready worker has room (so also while the workers are starting), and a Parquet job
   * only while it takes them (see {@link #inlineTakes}).
   */
  #freeThread(): PoolThread | undefined {
    const inline = this.#inlineTakes();
    return this.#pool.find(
      (t) => t.ready && t.jobs.size < JOBS_PER_THREAD && (inline || !(t instanceof InlineThread)),
    );
  }

  /**
   * The index of the first batch of the next job to plan, for an error found before it is
   * sent: exact for Arrow IPC (the batches a job holds are planned, and counted, before it), and for Parquet once earlier jobs are handed out.
   */
  #batchAfterPlanned(): number {
    return this.#opened?.format === 'parquet' ? this.#index : this.#batchesPlanned;
  }
}

/**
 * Whole Arrow IPC batches in one job, at most (see `#openIpc`): enough that a job of tiny batches
 * costs far more than its message, few enough that a file of a few hundred such batches still
 * gives every thread jobs and the reply stays small.
 */
const BATCHES_PER_JOB = 64;

/** Rows per batch within a Parquet row group, as the in-thread reader decodes them. */
const PARQUET_BATCH_ROWS = 65_536;

const UNUSABLE: TensorLayout = { usable: true, dtype: 'float32', rowShape: [], list: undefined, fixed: [] };
