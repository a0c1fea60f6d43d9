/**
 * `@lossflow/arrow/worker`: for a package that ships a task for `mapBatchesInWorkers` (from
 * `@lossflow/arrow/node`): the module a task exports, the batch it runs on, how a column's values
 * are laid out, the codecs that carry a package's errors across threads, and `ArrowReadError` (so a
 * task can name a batch's row in one without loading the root entry), and the IO-region batch a
 * worker of its own (a browser page's Web Worker) builds from a plan of `ipcBatchPlans`, run with
 * `regionRun` as the pool's threads run it. An integration
 * surface: it follows the pool, not the public API's stability promises. It loads nothing heavy
 * (no apache-arrow), so a task module importing it keeps worker start-up fast; the `tensorLayout`
 * function itself is in the root entry.
 *
 * @packageDocumentation
 */

export {
  ArrowReadError,
  type ArrowReadErrorCode,
  type ArrowReadErrorContext,
} from './errors/ArrowReadError.js';
export { type ErrorCodec, registerErrorCodec } from './errors/errorCodec.js';
export { rebaseListOffsets } from './parallel/BatchReadPlan.js';
export { IoRegionBatch, type WorkerBatch } from './parallel/IoRegionBatch.js';
export { regionRun } from './parallel/regionRun.js';
export type { WorkerTaskModule } from './parallel/workerProtocol.js';
export type { ElementType, TensorLayout, UnusableLayout } from './schema/tensorLayout.js';
