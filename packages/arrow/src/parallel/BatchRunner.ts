/**
 * What one thread of `mapBatchesInWorkers` does with its requests: it reads the pool's open file
 * through the descriptor it is given (never the path, which may name another file by now). For
 * an Arrow IPC block it reads the block's byte ranges straight into the memory its task asks for
 * (one read per range, no other copy); for the rows of a Parquet row group it reads their pages and
 * copies their values there (the general decoder's row group, when a column needs it). It views the columns in that memory and posts back what the task
 * computes. Requests are handled one at a time, in the order they arrive. A worker thread runs one
 * (`batchWorker.ts`); with `inThisThread`, the pool runs one in its own thread too.
 */
import { readSync } from 'node:fs';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { type SerializedError, serializeError, shiftErrorRow } from '../errors/workerError.js';
import { ioError } from '../io/ioError.js';
import { scanIpcBytes } from '../ipc/scanIpcBlocks.js';
import type { ParquetRowGroups } from '../parquet/parquetRowGroups.js';
import { type BatchReadPlan, batchReadPlan, rebaseListOffsets } from './BatchReadPlan.js';
import { batchSlots } from './batchSlots.js';
import { IoRegionBatch } from './IoRegionBatch.js';
import { locatedRanges } from './locatedRows.js';
import { regionRun } from './regionRun.js';
import { rowRangePlans } from './rowRangePlans.js';
import { traceMark, traceNow, tracing } from './traceMarks.js';
import type {
  SharedFile,
  WorkerJob,
  WorkerReply,
  WorkerRequest,
  WorkerSetup,
  WorkerTaskModule,
} from './workerProtocol.js';

/**
 * The runner whose setup each task module last ran. A module has one instance per thread, and
 * several runners share a thread when several pools use the calling thread (`inThisThread`):
 * each sets the module up again with its own data before running its jobs.
 */
const owners = new WeakMap<WorkerTaskModule, BatchRunner>();

/** Thrown by a `fastParquetOnly` runner for a Parquet job the fast path cannot read: a worker reads it. */
const ELSEWHERE = Symbol('elsewhere');

/**
 * Handles a pool's requests in order, posting replies through `post`. With `yieldBetween`, each
 * request waits for a turn of the event loop first, so a thread that also hands out the jobs
 * (and hears the other workers' replies) never runs a long queue without answering them.
 *
 * @example
 * const runner = new BatchRunner((reply) => parentPort.postMessage(reply));
 * parentPort.on('message', (request) => runner.handle(request));
 */
export class BatchRunner {
  #setup: WorkerSetup | undefined;
  #task: WorkerTaskModule | undefined;
  /** The file as the footer request opened it (with parquet-wasm), and as jobs read it. */
  #parquetMeta: Promise<ParquetRowGroups> | undefined;
  #parquet: Promise<ParquetRowGroups> | undefined;
  #own = new Uint8Array(0);
  /** The general decoder's last row group (see #groupIpc). */
  #group: { key: string; ipc: Uint8Array } | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** The first row in its batch of the range being computed (errors of a batch cut here name the batch's row). */
  #rangeFirst = 0;
  #closed = false;
  /** With `LOSSFLOW_TRACE=1`: jobs run, ms spent in them, and when the current one started. */
  #jobs = 0;
  #busy = 0;
  #jobStart = 0;

  /**
   * `fastParquetOnly`: Parquet rows only by the fast path; a job that needs the general decoder is
   * left to a worker (`elsewhere`), as the pool's own thread must never run parquet-wasm, which can
   * trap where no caller catches it (see `parquetWorker.ts`).
   */
  constructor(
    private readonly post: (reply: WorkerReply) => void,
    private readonly yieldBetween = false,
    private readonly fastParquetOnly = false,
  ) {}

  /** Queues a request. */
  handle(request: WorkerRequest): void {
    this.#queue = this.#queue.then(async () => {
      if (this.yieldBetween) await new Promise((resolve) => setImmediate(resolve));
      if (!this.#closed) await this.#handle(request);
    });
  }

  /** Drops the queued requests (the pool owns the file and closes it). */
  close(): void {
    this.#closed = true;
  }

  /**
   * Loaded on the first Parquet request only: the decoders bring apache-arrow, hyparquet and their
   * WebAssembly, which a thread that reads Arrow IPC never needs (their start-up cost every worker
   * CPU time; see BatchRunner.test.ts).
   */
  #openParquet(file: SharedFile, schema?: Uint8Array): Promise<ParquetRowGroups> {
    const open = (given?: Uint8Array) =>
      import('../parquet/parquetRowGroups.js').then(({ openParquetRowGroups }) =>
        openParquetRowGroups(file.fd, file.size, file.path, given),
      );
    if (schema === undefined) {
      // The footer's meta is read from the footer itself (see `footerMeta`), never from a schema given.
      this.#parquetMeta ??= open();
      return this.#parquetMeta;
    }
    // The thread that read the footer has the file open already; the others open it lazily.
    this.#parquet ??= this.#parquetMeta ?? open(schema);
    return this.#parquet;
  }

  async #handle(request: WorkerRequest): Promise<void> {
    try {
      if (request.type === 'parquetMeta') {
        this.post({ type: 'parquetMeta', meta: (await this.#openParquet(request)).meta });
        return;
      }
      if (request.type === 'release') {
        // Whatever the next pool sets up reads another file, maybe through the same descriptor number.
        this.#setup = undefined;
        this.#task = undefined;
        this.#parquetMeta = undefined;
        this.#parquet = undefined;
        this.#group = undefined;
        this.post({ type: 'released' });
        return;
      }
      if (request.type === 'setup') {
        this.#setup = request;
        const module = (await import(request.module)) as WorkerTaskModule;
        // A pool that ended while the module loaded (its workers, taken ready, did every job) must
        // not set it up now: in this thread that would change what the thread runs next (a loss
        // task's setup sets the thread's kernels).
        if (this.#closed) return;
        owners.set(module, this);
        await module.setup?.(request.data);
        this.#task = module;
        traceMark('task module set up');
        this.post({ type: 'ready' });
        return;
      }
    } catch (e) {
      this.post({ type: 'fatal', error: serializeError(e) });
      return;
    }
    if (this.#task === undefined || this.#setup === undefined) return;
    await this.#job(this.#task, this.#setup, request);
  }

  /** Runs a job and posts its results, or the results up to its failing batch and that batch's error. */
  async #job(t: WorkerTaskModule, s: WorkerSetup, request: WorkerJob): Promise<void> {
    const values: unknown[] = [];
    const rows: number[] = [];
    this.#rangeFirst = 0;
    if (tracing) {
      if (this.#jobs++ === 0) traceMark(`first job (${request.id}) starts`);
      this.#jobStart = traceNow();
    }
    if (s.running !== undefined) Atomics.store(s.running, 0, request.id + 1);
    try {
      if (request.type === 'block') {
        await this.#adopt(t, s);
        // Batch by batch, each read into the same IO region and run in turn (nothing awaited, so
        // the task stays this runner's): the region holds one batch, not the job.
        for (const block of request.blocks) {
          values.push(
            this.#runBlock(t, s, block, (io) => {
              readRanges(s.fd, io, block.reads, s.path);
              rebaseListOffsets(io, block);
            }),
          );
          rows.push(block.rows);
        }
      } else await this.#parquetRows(t, s, request, values, rows);
      this.#postDone(request.id, values, rows, undefined, s);
    } catch (e) {
      if (e === ELSEWHERE) {
        this.post({ type: 'done', id: request.id, values: [], rows: [], error: undefined, elsewhere: true });
        return;
      }
      // A row range's error names the row of the batch: the failing block is the one after those
      // that gave a value. A range of a batch cut here names its first row in #rangeFirst.
      const firstRow =
        request.type === 'block'
          ? (request.blocks[values.length]?.firstRow ?? 0)
          : request.cutHere === true
            ? this.#rangeFirst
            : request.first;
      this.#postDone(request.id, values, rows, shiftErrorRow(serializeError(e), firstRow), s);
    } finally {
      if (s.running !== undefined) Atomics.store(s.running, 0, 0);
    }
  }

  /**
   * A Parquet job's rows: read page by page by the fast path straight into the task's memory when
   * every column takes it (no row group decoded whole), else cut from the general decoder's row
   * group (kept for the next job of the same row group) as the in-thread reader cuts it. Pushes
   * the value and rows of the job, or of each of its row ranges when it is cut here (`cutHere`).
   */
  async #parquetRows(
    t: WorkerTaskModule,
    s: WorkerSetup,
    request: Extract<WorkerJob, { type: 'rowGroup' }>,
    values: unknown[],
    rows: number[],
  ): Promise<void> {
    const file = await this.#openParquet(s, s.parquetSchema);
    const start = request.batchFirst + request.first;
    const done = (range: BatchReadPlan, value: unknown) => {
      values.push(value);
      rows.push(range.rows);
    };
    const located = file.locateRows(request.rowGroup, s.names, start, start + request.rows);
    if (located !== undefined) {
      const cut = request.cutHere === true ? request.rangeBytes : undefined;
      try {
        await this.#adopt(t, s);
        // Range by range, each copied and run in turn: the IO region holds one range, not the job.
        for (const { plan, fill } of locatedRanges(located, request.rows, s.layouts, cut))
          this.#runBlock(t, s, plan, fill, [plan], done);
        return;
      } catch (e) {
        // The fast path signals while it copies the pages: the general decoder reads the whole
        // job again, and the values of the ranges that ran before it are dropped.
        if (!file.isFastPathSignal(e)) throw e;
        values.length = 0;
        rows.length = 0;
      }
    }
    if (this.fastParquetOnly) throw ELSEWHERE;
    const ipc = await this.#groupIpc(file, request, s.names);
    const { fields, version, batches } = scanIpcBytes(ipc, s.path);
    const at = batches.filter((b) => b.header.rows > 0)[Math.floor(request.batchFirst / request.batchSize)];
    let block: BatchReadPlan | undefined;
    let ranges: BatchReadPlan[] = [];
    if (at !== undefined) {
      const { header, bodyOffset, bodyLength } = at;
      const slots = batchSlots(fields, version, header.variadicCounts, s.names);
      ranges =
        request.rangeBytes === undefined
          ? [batchReadPlan(header, bodyOffset, bodyLength, slots, s.names, 0, header.rows, s.path)]
          : await rowRangePlans(
              header,
              bodyOffset,
              bodyLength,
              slots,
              s.names,
              s.layouts,
              0,
              header.rows,
              s.path,
              request.rangeBytes,
              async (into, position) => {
                into.set(ipc.subarray(position, position + into.length));
              },
            );
      block = ranges.find((plan) => (plan.firstRow ?? 0) === request.first);
    }
    const whole = request.cutHere === true && ranges.length > 1 && at?.header.rows === request.rows;
    if (!whole && block?.rows !== request.rows) {
      throw new ArrowReadError(
        'CORRUPT',
        `row group ${request.rowGroup} decodes to other batches than its footer says`,
        {
          file: s.path,
          rowGroup: request.rowGroup,
          hint: 'The file is damaged: write it again.',
        },
      );
    }
    await this.#adopt(t, s);
    for (const found of whole ? ranges : [block!]) {
      this.#runBlock(
        t,
        s,
        found,
        (io) => {
          copyRanges(io, found.reads, ipc);
          rebaseListOffsets(io, found);
        },
        [found],
        done,
      );
    }
  }

  /** The general decoder's row group as an Arrow IPC stream, kept for the next job of the same one. */
  async #groupIpc(
    file: ParquetRowGroups,
    request: Extract<WorkerJob, { type: 'rowGroup' }>,
    names: readonly string[],
  ): Promise<Uint8Array> {
    const key = `${request.rowGroup}:${request.batchSize}:${request.limit}`;
    if (this.#group?.key !== key) {
      this.#group = undefined;
      const ipc = await file.read(request.rowGroup, names, request.batchSize, request.limit);
      this.#group = { key, ipc };
    }
    return this.#group.ipc;
  }

  /**
   * Posts a job's results. A result `postMessage` cannot clone (a function, a class instance
   * with private state) would otherwise end the worker with an error that names nothing: the
   * results before it are posted, then a typed error for its batch (the pool adds the index).
   */
  #postDone(
    id: number,
    values: unknown[],
    rows: number[],
    error: SerializedError | undefined,
    s: WorkerSetup,
  ): void {
    if (tracing) this.#busy += traceNow() - this.#jobStart;
    try {
      this.post({ type: 'done', id, values, rows, error, ...(tracing ? { busy: this.#busy } : {}) });
      return;
    } catch (e) {
      // Only on failure: find the result that cannot cross, by cloning each one.
      const bad = values.findIndex((value) => !cloneable(value));
      if (bad < 0) throw e;
      const unpostable = new ArrowReadError(
        'INVALID_OPTION',
        `the task ${s.module} returned a value that cannot be posted to the reading thread (${e instanceof Error ? e.message : String(e)})`,
        {
          file: s.path,
          hint: "Return plain data from the task's run(): numbers, strings, arrays, typed arrays and plain objects, no functions or class instances.",
        },
      );
      this.post({
        type: 'done',
        id,
        values: values.slice(0, bad),
        rows: rows.slice(0, bad),
        error: serializeError(unpostable),
      });
    }
  }

  /**
   * Makes the task module this runner's (see `owners`); the caller then runs it without awaiting
   * anything, so no other runner can take it back in between.
   */
  async #adopt(t: WorkerTaskModule, s: WorkerSetup): Promise<void> {
    while (owners.get(t) !== this) {
      owners.set(t, this);
      await t.setup?.(s.data);
    }
  }

  /**
   * Fills the task's memory for `block` once and runs the task on it, or on each of `ranges` (row
   * ranges whose buffers lie in the same IO region), in order, handing each value to `done`; the
   * value of the last is returned.
   */
  #runBlock(
    t: WorkerTaskModule,
    s: WorkerSetup,
    block: BatchReadPlan,
    fill: (io: Uint8Array) => void,
    ranges: readonly BatchReadPlan[] = [block],
    done?: (range: BatchReadPlan, value: unknown) => void,
  ): unknown {
    let io = this.#memory(t, block.ioBytes);
    fill(io);
    let value: unknown;
    for (const range of ranges) {
      this.#rangeFirst = range.firstRow ?? 0;
      const ran = regionRun(
        io,
        block.ioBytes,
        () => this.#memory(t, block.ioBytes),
        (region) => t.run(new IoRegionBatch(region, range, s.names, s.layouts)),
      );
      io = ran.io;
      value = ran.value;
      done?.(range, value);
    }
    return value;
  }

  #memory(t: WorkerTaskModule, bytes: number): Uint8Array {
    const given = t.memory?.(bytes);
    if (given !== undefined) return given;
    if (this.#own.length < bytes) this.#own = new Uint8Array(Math.max(bytes, 2 * this.#own.length));
    return this.#own.subarray(0, bytes);
  }
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function readRanges(fd: number, io: Uint8Array, reads: readonly number[], file: string): void {
  for (let i = 0; i < reads.length; i += 3) {
    const position = reads[i]!;
    const length = reads[i + 1]!;
    const at = reads[i + 2]!;
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd, io, at + done, length - done, position + done);
      } catch (e) {
        throw ioError(e, file);
      }
      if (n === 0) {
        throw new ArrowReadError(
          'TRUNCATED',
          `the file ends at byte ${position + done}, inside a record batch`,
          {
            file,
            hint: 'The file was cut short or is being rewritten: copy it again.',
          },
        );
      }
      done += n;
    }
  }
}

/** A decoded row group's batch buffers, copied into the task's memory (the decoder wrote them elsewhere). */
function copyRanges(io: Uint8Array, reads: readonly number[], bytes: Uint8Array): void {
  for (let i = 0; i < reads.length; i += 3) {
    const position = reads[i]!;
    io.set(bytes.subarray(position, position + reads[i + 1]!), reads[i + 2]!);
  }
}
