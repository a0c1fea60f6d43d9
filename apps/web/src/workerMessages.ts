import type { TensorLayout } from '@lossflow/arrow';
import type { WorkerLoss } from '@lossflow/rx';
import type { BatchMessage } from './batchMessage.js';
import type { ChainReply } from './ChainRegions.js';
import type { EvalSpec } from './evalSpec.js';
import type { ChainRegion } from './ipcChain.js';
import type { ReadRegion } from './ReadRegion.js';

/** What the page posts to a compute worker. */
export type ToWorker =
  /** Sent to a worker started ahead of a run (`WarmWorkers`): load the WebAssembly kernels now. */
  | { readonly type: 'warm' }
  | { readonly type: 'init'; readonly spec: EvalSpec }
  /**
   * Read plans of consecutive record batches of an Arrow IPC stream (a batch whole, or one of its
   * row ranges: see `ipcBatchPlans`) that the worker reads itself, as one region of `file` (see
   * `ReadRegion`): the columns `names` (laid out as `layouts`); `columns` are each loss's columns
   * by role, resolved from the file's schema. The worker answers each plan on its own, under its
   * job number in `jobs`.
   */
  | {
      readonly type: 'region';
      readonly jobs: readonly number[];
      readonly file: File;
      readonly region: ReadRegion;
      readonly names: readonly string[];
      readonly layouts: readonly TensorLayout[];
      readonly columns: readonly Readonly<Record<string, string>>[];
    }
  /**
   * A region of an Arrow IPC stream that the worker walks itself, message by message (see
   * `walkIpcChain`), computing each batch whose message starts in it: the columns as for `region`.
   * Answered once, under `job`, with a `chain` reply.
   */
  | {
      readonly type: 'chain';
      readonly job: number;
      readonly file: File;
      readonly region: ChainRegion;
      readonly names: readonly string[];
      readonly layouts: readonly TensorLayout[];
      readonly columns: readonly Readonly<Record<string, string>>[];
    }
  /** One record batch of the stream (its columns' buffers, transferred), `index` counted over every file. */
  | { readonly type: 'batch'; readonly job: number; readonly index: number; readonly batch: BatchMessage };

/**
 * One loss over one batch (or a row range of one), as a worker posts it back (a `LossChunk`
 * without its batch): what the CLI's worker threads post, so their merge applies.
 */
export type WorkerChunk = WorkerLoss;

/** One batch a `chain` region's walk computed. */
export interface ChainBatch {
  readonly rows: number;
  /** Where its body ends in the file. */
  readonly end: number;
  readonly chunks: WorkerChunk[];
}

/** A typed error of the packages, as plain data (its class does not survive `postMessage`). */
export interface ErrorData {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly hint: string | undefined;
  readonly loss: string | undefined;
  readonly file: string | undefined;
  readonly batch: number | undefined;
  readonly row: number | undefined;
  readonly column: string | undefined;
  /** For `SHAPE_CHANGED` / `DTYPE_CHANGED`: the batch (and file) the earlier shape or type was first seen in. */
  readonly firstBatch?: number | undefined;
  readonly firstFile?: string | undefined;
  /** A `LossError`'s message without location and hint. */
  readonly detail: string | undefined;
}

/** What a compute worker posts back. */
export type FromWorker =
  | { readonly type: 'ready'; readonly kernels: string }
  /** `job` is the pool's number of the job answered; `part` its row range of batch `index`. */
  | {
      readonly type: 'chunks';
      readonly job: number;
      readonly index: number;
      readonly part: number;
      readonly chunks: WorkerChunk[];
    }
  /** A `chain` region's walk: its batches' chunks (each batch's rows and where its body ends) and how it ended. */
  | ({ readonly type: 'chain'; readonly job: number } & ChainReply<ChainBatch, ErrorData>)
  | {
      readonly type: 'error';
      readonly job: number | undefined;
      readonly index: number | undefined;
      readonly error: ErrorData;
    };

/**
 * The fields of an error that say what failed and where, as plain data.
 *
 * @example
 * postMessage({ type: 'error', index, error: errorData(e) });
 */
export function errorData(e: unknown): ErrorData {
  const x = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof x[k] === 'string' ? (x[k] as string) : undefined);
  const num = (k: string) => (typeof x[k] === 'number' ? (x[k] as number) : undefined);
  return {
    name: str('name') ?? 'Error',
    code: str('code'),
    message: e instanceof Error ? e.message : String(e),
    hint: str('hint'),
    loss: str('loss'),
    file: str('file'),
    batch: num('batch'),
    row: num('row'),
    column: str('column'),
    firstBatch: num('firstBatch'),
    firstFile: str('firstFile'),
    detail: str('detail'),
  };
}
