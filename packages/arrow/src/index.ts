/**
 * `@lossflow/arrow`: record batches and tensors from Arrow IPC and Parquet, in any JavaScript
 * runtime (nothing here imports `node:*`). Files, worker threads and writers live in
 * `@lossflow/arrow/node`; the worker-task protocol in `@lossflow/arrow/worker`.
 *
 * @packageDocumentation
 */
export {
  ArrowReadError,
  type ArrowReadErrorCode,
  type ArrowReadErrorContext,
} from './errors/ArrowReadError.js';
export { detectFormat, type FileFormat } from './format/detectFormat.js';
export type { ByteSource } from './io/ByteReader.js';
export { blobReadFailure } from './io/blobReadFailure.js';
export {
  type IpcBatchAt,
  type IpcScan,
  type PositionalFile,
  scanIpcFile,
  scanIpcStream,
} from './ipc/scanIpcBlocks.js';
export type { BatchReadPlan, PlannedBuffer, PlannedLevel } from './parallel/BatchReadPlan.js';
export { ipcBatchPlans } from './parallel/ipcBatchPlans.js';
export { type ListExtent, RANGE_BYTES, rangeRows } from './parallel/rangeRows.js';
export type { ReadBytesAt } from './parallel/rowRangePlans.js';
export { MAX_THREADS } from './read/countOption.js';
export { type BatchReader, type ReadOptions, type ReadProgress, readBatches } from './read/readBatches.js';
export {
  type ReadTensorsOptions,
  readTensors,
  type TensorBatch,
  type TensorReader,
  type TensorRoles,
} from './read/readTensors.js';
export { type ColumnDescription, describeSchema } from './schema/describeSchema.js';
export {
  type ElementType,
  type TensorLayout,
  tensorLayout,
  type UnusableLayout,
} from './schema/tensorLayout.js';
export {
  type BatchTensors,
  type BatchTensorsOptions,
  batchTensors,
  rowShapes,
} from './tensors/batchTensors.js';
export { columnTensor } from './tensors/columnTensor.js';
export { DEFAULT_INPUT_COLUMNS, DEFAULT_TARGET_COLUMNS, resolveColumns } from './tensors/resolveColumns.js';
export type { Tensor, TensorData } from './tensors/Tensor.js';
export {
  type TrainingLogOptions,
  trainingLogBatches,
  trainingLogSchema,
} from './write/trainingLogBatches.js';
