import { type FileHandle, open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Schema } from 'apache-arrow';
import { ArrowReadError } from './ArrowReadError.js';
import { batchBlock } from './BatchBlock.js';
import { batchSlots } from './columnSlots.js';
import type { FileFormat } from './detectFormat.js';
import { ioError } from './ioError.js';
import { missingColumnError } from './missingColumnError.js';
import { type ReadProgress, readBatches } from './readBatches.js';
import { type IpcBatchAt, type IpcScan, scanIpcFile, scanIpcStream } from './scanIpcBlocks.js';
import { type TensorLayout, tensorLayout } from './tensorLayout.js';
import { reviveError } from './workerError.js';
import type { WorkerJob, WorkerReply, WorkerSetup } from './workerProtocol.js';

/** The module a pool runs in its workers (see `WorkerTaskModule`) and the data its `setup` gets. */
export interface WorkerTask {
  /** URL of the task module (e.g. `new URL('./myTask.js', import.meta.url)`). */
  readonly module: string | URL;
  /** Passed to the module's `setup` in every worker; must be structured-cloneable. */
  readonly data?: unknown;
}

/** What to read and compute, decided from the input's schema. */
export interface WorkerPlan {
  /** The columns the task reads (`WorkerBatch.tensors` can make tensors of these only). */
  readonly columns: readonly string[];
  readonly task: WorkerTask;
}

/** Options of {@link mapBatchesInWorkers}. */
export interface WorkerReadOptions {
  /** Worker threads (default 2). */
  threads?: number;
  /** Stop after this many rows (the last batch is cut). */
  limit?: number;
  /** Aborting ends the iteration with an `ABORTED` error and ends the workers. */
  signal?: AbortSignal;
  /** Called after each result is handed out. */
  onProgress?: (p: ReadProgress) => void;
  /** Batches being read or computed, or computed and waiting to be handed out, at most (default 2 × threads). */
  inFlight?: number;
  /** Accept an IPC stream that ends without its end-of-stream marker (see `ReadOptions`). */
  allowMissingEndOfStream?: boolean;
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
 * Runs a task over every record batch of an Arrow IPC stream or file in a pool of worker threads,
 * and hands out the task's results in batch order, so a merge of them does not depend on the
 * number of threads. This thread only scans the file's message headers; each worker opens the
 * file itself and reads the selected columns' bytes of its batches straight into the memory its
 * task names (WebAssembly memory, so kernels read them in place): one read, no other copy.
 *
 * At most `inFlight` batches are being read, computed or waiting to be handed out, so memory stays
 * at about `threads` batches. A batch's error (an `ArrowReadError` or `LossError` thrown by the
 * task) reaches the iteration after the results of the batches before it, with the batch index
 * added; a worker that dies, an abort or `close()` ends every worker.
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
  plan: (schema: Schema) => WorkerPlan,
  options: WorkerReadOptions = {},
): WorkerBatchReader<R> {
  return new Pool<R>(path, plan, options);
}

/** The worker entry: built JS next to this module, or in `dist/` when this module runs from source. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../dist/batchWorker.js', import.meta.url)
    : new URL('./batchWorker.js', import.meta.url);
}

interface Opened {
  format: FileFormat;
  schema: Schema;
  handle: FileHandle;
  scan: IpcScan;
  names: string[];
  /** A column that cannot be read as a tensor: the error of the first batch, as in-process. */
  columnError: ArrowReadError | undefined;
}

interface Slot {
  promise: Promise<Done>;
  resolve(done: Done): void;
  reject(error: unknown): void;
  /** The body end of the job's batch (for progress). */
  end: number;
  worker: PoolWorker | undefined;
}

type Done = Extract<WorkerReply, { type: 'done' }> | typeof END;

const END = Symbol('end');

class PoolWorker {
  readonly worker: Worker;
  readonly jobs = new Set<number>();

  constructor() {
    this.worker = new Worker(workerUrl());
    this.worker.unref();
  }

  send(job: WorkerJob): void {
    this.jobs.add(job.id);
    this.worker.ref();
    this.worker.postMessage(job);
  }

  finished(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size === 0) this.worker.unref();
  }
}

class Pool<R> implements WorkerBatchReader<R> {
  readonly #path: string;
  readonly #plan: (schema: Schema) => WorkerPlan;
  readonly #threads: number;
  readonly #window: number;
  readonly #limit: number | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onProgress: ((p: ReadProgress) => void) | undefined;
  readonly #allowMissingEnd: boolean;
  readonly #workers: PoolWorker[];
  readonly #slots = new Map<number, Slot>();
  #opening: Promise<Opened> | undefined;
  #opened: Opened | undefined;
  #batches: AsyncGenerator<IpcBatchAt, void, undefined> | undefined;
  #failure: Error | undefined;
  #closed = false;
  #iterating = false;
  #pumping = false;
  #scanDone = false;
  /** Jobs handed to workers, and jobs whose results were handed out. */
  #dispatched = 0;
  #consumed = 0;
  #rowsDispatched = 0;
  #rows = 0;
  #index = 0;
  #bytesRead = 0;
  #size = 0;
  readonly #onAbort = (): void =>
    this.#fail(new ArrowReadError('ABORTED', 'reading was aborted', { file: this.#path }));

  constructor(path: string, plan: (schema: Schema) => WorkerPlan, options: WorkerReadOptions) {
    this.#path = path;
    this.#plan = plan;
    this.#threads = Math.max(1, Math.floor(options.threads ?? 2));
    this.#window = Math.max(1, Math.floor(options.inFlight ?? 2 * this.#threads));
    this.#limit = options.limit;
    this.#signal = options.signal;
    this.#onProgress = options.onProgress;
    this.#allowMissingEnd = options.allowMissingEndOfStream === true;
    // Started before the file is opened, so their start-up overlaps this thread's.
    this.#workers = Array.from({ length: this.#threads }, () => this.#spawn());
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get progress(): ReadProgress {
    return { bytesRead: this.#bytesRead, totalBytes: this.#size, rows: this.#rows, batches: this.#index };
  }

  async format(): Promise<FileFormat> {
    return (await this.#open()).format;
  }

  async schema(): Promise<Schema> {
    return (await this.#open()).schema;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    for (const slot of this.#slots.values())
      slot.reject(new ArrowReadError('CLOSED', 'the reader was closed', { file: this.#path }));
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
    await this.#batches?.return().catch(() => undefined);
    const opened = this.#opening === undefined ? undefined : await this.#opening.catch(() => undefined);
    await opened?.handle.close().catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<WorkerResult<R>> {
    if (this.#iterating) {
      throw new ArrowReadError('CLOSED', 'this reader is already being iterated', {
        file: this.#path,
        hint: 'Call mapBatchesInWorkers again to read the input a second time.',
      });
    }
    this.#iterating = true;
    const pending: WorkerResult<R>[] = [];
    let failed: Error | undefined;
    let done = false;
    const finish = async (): Promise<IteratorResult<WorkerResult<R>>> => {
      done = true;
      await this.close();
      return { done: true, value: undefined };
    };
    return {
      next: async (): Promise<IteratorResult<WorkerResult<R>>> => {
        for (;;) {
          const ready = pending.shift();
          if (ready !== undefined) return { done: false, value: ready };
          if (failed !== undefined) {
            const error = failed;
            failed = undefined;
            throw error;
          }
          if (done) return { done: true, value: undefined };
          let reply: Done;
          try {
            await this.#open();
            void this.#pump();
            reply = await this.#slot(this.#consumed).promise;
          } catch (e) {
            await finish();
            throw e;
          }
          if (reply === END) return finish();
          const slot = this.#slots.get(this.#consumed)!;
          this.#slots.delete(this.#consumed);
          this.#consumed++;
          for (const [i, value] of reply.values.entries()) {
            const rows = reply.rows[i]!;
            pending.push({ index: this.#index++, rows, value: value as R });
            this.#rows += rows;
          }
          this.#bytesRead = Math.max(this.#bytesRead, slot.end);
          if (reply.error !== undefined) {
            // The results before the failing batch are handed out first, then its error.
            failed = reviveError(reply.error, { batch: this.#index });
            await finish();
            continue;
          }
          void this.#pump();
          if (reply.values.length > 0) this.#onProgress?.(this.progress);
        }
      },
      return: finish,
    };
  }

  #spawn(): PoolWorker {
    const w = new PoolWorker();
    w.worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'fatal') {
        this.#fail(reviveError(reply.error));
        return;
      }
      w.finished(reply.id);
      this.#slots.get(reply.id)?.resolve(reply);
    });
    w.worker.on('error', (e) => {
      this.#fail(
        new Error(`a worker thread failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }),
      );
    });
    w.worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`a worker thread stopped unexpectedly (exit code ${code})`));
    });
    return w;
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
      slot = { promise, resolve, reject, end: 0, worker: undefined };
      this.#slots.set(id, slot);
    }
    return slot;
  }

  /** Ends everything with `error`: jobs in flight and the next job to hand out reject with it. */
  #fail(error: Error): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#failure = error;
    for (let id = this.#consumed; id <= this.#dispatched; id++) this.#slot(id).reject(error);
    for (const w of this.#workers) void w.worker.terminate();
  }

  #open(): Promise<Opened> {
    this.#opening ??= this.#openInput().then((o) => {
      this.#opened = o;
      return o;
    });
    return this.#opening;
  }

  async #openInput(): Promise<Opened> {
    const file = this.#path;
    const probe = readBatches(file, { allowMissingEndOfStream: this.#allowMissingEnd });
    let schema: Schema;
    let format: FileFormat;
    try {
      format = await probe.format();
      schema = await probe.schema();
    } finally {
      await probe.close();
    }
    if (format === 'parquet') {
      throw new ArrowReadError('UNSUPPORTED', 'Parquet is not read by worker threads', { file });
    }
    const { columns, task } = this.#plan(schema);
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
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
      this.#size = (await handle.stat()).size;
    } catch (e) {
      throw ioError(e, file);
    }
    try {
      const scan =
        format === 'arrow-file'
          ? await scanIpcFile(handle, this.#size, file)
          : await scanIpcStream(handle, this.#size, file, this.#allowMissingEnd);
      const setup: WorkerSetup = {
        type: 'setup',
        path: file,
        module: task.module.toString(),
        data: task.data,
        names,
        layouts,
      };
      for (const w of this.#workers) w.worker.postMessage(setup);
      return { format, schema, handle, scan, names, columnError };
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
  }

  /** Hands jobs to the least busy workers while fewer than the window are out. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const opened = this.#opened!;
      this.#batches ??= opened.scan.batches();
      while (!this.#closed && !this.#scanDone && this.#dispatched < this.#consumed + this.#window) {
        const id = this.#dispatched;
        if (this.#failure !== undefined) {
          this.#scanDone = true;
          this.#slot(id).reject(this.#failure);
          break;
        }
        if (this.#limit !== undefined && this.#rowsDispatched >= this.#limit) {
          this.#scanDone = true;
          this.#slot(id).resolve(END);
          break;
        }
        let next: IteratorResult<IpcBatchAt>;
        try {
          next = await this.#batches.next();
        } catch (e) {
          this.#scanDone = true;
          this.#slot(id).reject(
            e instanceof ArrowReadError ? e.withContext({ file: this.#path, batch: id }) : e,
          );
          break;
        }
        if (this.#closed) break;
        if (next.done === true) {
          this.#scanDone = true;
          this.#slot(id).resolve(END);
          break;
        }
        const { header, bodyOffset, bodyLength } = next.value;
        // Batches without rows are passed over, as the in-thread reader does.
        if (header.rows === 0) continue;
        const rows =
          this.#limit === undefined ? header.rows : Math.min(header.rows, this.#limit - this.#rowsDispatched);
        const slot = this.#slot(id);
        slot.end = bodyOffset + bodyLength;
        this.#dispatched++;
        this.#rowsDispatched += rows;
        if (opened.columnError !== undefined) {
          this.#scanDone = true;
          slot.reject(opened.columnError.withContext({ batch: id }));
          break;
        }
        let job: WorkerJob;
        try {
          const slots = batchSlots(
            opened.scan.fields,
            opened.scan.version,
            header.variadicCounts,
            opened.names,
          );
          const block = batchBlock(header, bodyOffset, bodyLength, slots, opened.names, id, rows, this.#path);
          if (header.compressed) {
            throw new ArrowReadError('UNSUPPORTED', 'compressed Arrow IPC buffers cannot be read', {
              file: this.#path,
              batch: id,
              hint: 'Write the file without IPC compression (e.g. pyarrow: IpcWriteOptions(compression=None)).',
            });
          }
          job = { type: 'block', id, block };
        } catch (e) {
          this.#scanDone = true;
          slot.reject(e);
          break;
        }
        const w = this.#workers.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
        slot.worker = w;
        w.send(job);
      }
    } finally {
      this.#pumping = false;
    }
  }
}

const UNUSABLE: TensorLayout = { usable: true, dtype: 'float32', rowShape: [], list: undefined, fixed: [] };
