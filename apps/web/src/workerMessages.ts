import type { LossState } from '@lossflow/core';
import type { ChunkSteps, GroupState, RowDtypes, RowShapes } from '@lossflow/rx';
import type { BatchMessage } from './batchMessage.js';
import type { EvalSpec } from './evalSpec.js';

/** What the page posts to a compute worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly spec: EvalSpec }
  /**
   * One record batch of an Arrow IPC stream that the worker reads itself: the message at
   * `[start, end)` of `file`, decoded after `schema` (the stream's schema message).
   */
  | {
      readonly type: 'span';
      readonly index: number;
      readonly file: File;
      readonly schema: Uint8Array;
      readonly start: number;
      readonly end: number;
    }
  /** One record batch of the stream (its columns' buffers, transferred), `index` counted over every file. */
  | { readonly type: 'batch'; readonly index: number; readonly batch: BatchMessage };

/** One loss over one batch, as a worker posts it back (a `LossChunk` without its batch). */
export interface WorkerChunk {
  readonly rows: number;
  readonly skipped: number;
  readonly state: LossState;
  readonly groups: readonly GroupState[] | undefined;
  readonly steps: ChunkSteps | undefined;
  readonly rowShapes: RowShapes | undefined;
  readonly rowDtypes: RowDtypes | undefined;
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
  | { readonly type: 'chunks'; readonly index: number; readonly chunks: readonly WorkerChunk[] }
  | { readonly type: 'error'; readonly index: number | undefined; readonly error: ErrorData };

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
