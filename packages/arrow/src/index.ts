/**
 * `@lossflow/arrow`: record batches and tensors from Arrow IPC and Parquet, in any JavaScript
 * runtime (nothing here imports `node:*`). Files, worker threads and writers live in
 * `@lossflow/arrow/node`; the worker-task protocol in `@lossflow/arrow/worker`.
 *
 * @packageDocumentation
 */
export { ArrowReadError, type ArrowReadErrorCode, type ArrowReadErrorContext } from './ArrowReadError.js';
export type { ByteSource } from './ByteReader.js';
export { type BatchTensors, type BatchTensorsOptions, batchTensors, rowShapes } from './batchTensors.js';
export { columnTensor } from './columnTensor.js';
export { MAX_THREADS } from './countOption.js';
export { type ColumnDescription, describeSchema } from './describeSchema.js';
export { detectFormat, type FileFormat } from './detectFormat.js';
export { type BatchReader, type ReadOptions, type ReadProgress, readBatches } from './readBatches.js';
export {
  type ReadTensorsOptions,
  readTensors,
  type TensorBatch,
  type TensorReader,
  type TensorRoles,
} from './readTensors.js';
export { DEFAULT_INPUT_COLUMNS, DEFAULT_TARGET_COLUMNS, resolveColumns } from './resolveColumns.js';
export type { Tensor, TensorData } from './Tensor.js';
export { type ElementType, type TensorLayout, tensorLayout, type UnusableLayout } from './tensorLayout.js';
export { type TrainingLogOptions, trainingLogBatches, trainingLogSchema } from './trainingLogBatches.js';
