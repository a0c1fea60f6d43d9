import type { SerializedError } from '../errors/workerError.js';
import type { ParquetMeta } from '../parquet/parquetFile.js';
import type { TensorLayout } from '../schema/tensorLayout.js';
import type { BatchReadPlan } from './BatchReadPlan.js';
import type { WorkerBatch } from './IoRegionBatch.js';

/**
 * What a task module run in the worker threads of `mapBatchesInWorkers` exports: an optional
 * `setup` (called with the task's data once per pool and thread, and again before a pool's jobs
 * when another pool set the module up in the same thread since: a worker thread serves the next
 * pool once its pool is done, so what `setup` does not reset carries over from pool to pool; with
 * `inThisThread` pools share the calling thread's instance of the module, so there `setup` should
 * not await, or two pools at once could interleave their setups), an optional `memory` (where to
 * read each batch, e.g. WebAssembly memory its kernels read in place), and `run`, whose result
 * must be structured-cloneable (it is posted back to the reading thread).
 */
export interface WorkerTaskModule<D = unknown, R = unknown> {
  setup?(data: D): void | Promise<void>;
  /**
   * `bytes` bytes to read the next batch's buffers into (`undefined`: the worker's own buffer).
   * Called again with the same size when the bytes it returned were detached during `run`
   * (WebAssembly memory that grew): it must then return a view of the same, preserved, bytes.
   */
  memory?(bytes: number): Uint8Array | undefined;
  run(batch: WorkerBatch): R;
}

/**
 * The file every thread of a pool reads: the reading thread's descriptor of it (descriptors are
 * process-wide) and its size, and its path for messages only. Threads never open the path: a
 * file renamed over it meanwhile (how logs are published) would be read at the first file's
 * offsets. The reading thread closes the descriptor only after every worker has ended.
 */
export interface SharedFile {
  readonly fd: number;
  readonly size: number;
  /** For error messages, never opened. */
  readonly path: string;
}

/** The first message to each worker: the file, the columns and the task. */
export interface WorkerSetup extends SharedFile {
  readonly type: 'setup';
  /** URL of the task module. */
  readonly module: string;
  readonly data: unknown;
  /** The plan's columns, in the order of each block's `columns`, and their tensor layouts. */
  readonly names: readonly string[];
  readonly layouts: readonly TensorLayout[];
  /**
   * One slot of memory shared with the pool (each worker its own): the worker stores 1 + the id of
   * the job it is running, 0 between jobs, so that when the worker dies (the Parquet decoder
   * trapping) the pool knows which row group did it, whatever replies are still on their way.
   */
  readonly running?: Int32Array;
  /**
   * A Parquet file's schema as the pool read it (`ParquetMeta.schema`): a worker then opens the
   * file without parquet-wasm, which it loads only for a column chunk the fast path leaves.
   */
  readonly parquetSchema?: Uint8Array;
}

/**
 * One unit of work: consecutive record batches of an Arrow IPC input (or a row range of one),
 * each read by its block; or a batch of a Parquet row group (or a row range of one), decoded (only the plan's
 * columns): the row group holds batches of `batchSize` rows, up to `limit` rows, as the in-thread
 * reader cuts it; this job is the `rows` rows from `first` rows into the batch at `batchFirst`.
 */
export type WorkerJob =
  | {
      readonly type: 'block';
      /** The job's sequence number, echoed in the reply. */
      readonly id: number;
      /**
       * Whole batches, in order, or one row range of a batch: small batches go as one job, so the
       * reading thread posts, plans and hears back once for all of them (see `mapBatchesInWorkers`).
       * The reply has one value per block, up to the failing one.
       */
      readonly blocks: readonly BatchReadPlan[];
    }
  | {
      readonly type: 'rowGroup';
      readonly id: number;
      readonly rowGroup: number;
      readonly batchSize: number;
      readonly limit: number | undefined;
      /** The batch's first row in the row group. */
      readonly batchFirst: number;
      /** The job's first row in the batch (0 for a whole batch) and its rows. */
      readonly first: number;
      readonly rows: number;
      /**
       * For a row range, or a batch the worker cuts itself (`cutHere`), the pool's `rangeBytes` (the
       * general decoder's batch is cut by `rowRangePlans`).
       */
      readonly rangeBytes: number | undefined;
      /**
       * A whole batch with a variable-length list column, whose row ranges (`rangeRows` of its list
       * lengths) only its decoded pages tell: the worker cuts it into them and replies one value per
       * range, in row order, for the pool to merge (nothing of the batch when a range fails).
       */
      readonly cutHere?: boolean;
    };

/**
 * Messages to a worker: `parquetMeta` (before setup) asks for a Parquet file's footer; `release`
 * (after the last job) ends the pool's use of the thread, which forgets the file and the task's
 * setup and answers `released`, to be set up again by the next pool.
 */
export type WorkerRequest =
  | WorkerSetup
  | WorkerJob
  | ({ readonly type: 'parquetMeta' } & SharedFile)
  | { readonly type: 'release' };

/**
 * Messages from a worker: a job's results (one per non-empty batch, in order), ending early with
 * the error of the batch after the last result; a Parquet footer; that it is ready for jobs; or a
 * failure of the worker itself.
 */
export type WorkerReply =
  | {
      readonly type: 'done';
      readonly id: number;
      readonly values: readonly unknown[];
      readonly rows: readonly number[];
      readonly error: SerializedError | undefined;
      /**
       * This thread (`inThisThread`), which decodes Parquet by the fast path only, left the job to
       * a worker: a column chunk of it needs the general decoder (see `BatchRunner`).
       */
      readonly elsewhere?: true;
      /** With `LOSSFLOW_TRACE=1`: ms the thread has spent in jobs so far (see `traceMarks`). */
      readonly busy?: number;
    }
  | { readonly type: 'parquetMeta'; readonly meta: ParquetMeta }
  /** Set up (task module loaded): from now on it takes jobs. */
  | { readonly type: 'ready' }
  | { readonly type: 'fatal'; readonly error: SerializedError }
  /** Answers `release`: the thread holds nothing of the pool's any more (its file descriptor included). */
  | { readonly type: 'released' };
