export { ArrowReadError, type ArrowReadErrorCode, type ArrowReadErrorContext } from './ArrowReadError.js';
export type { WorkerBatch } from './BlockBatch.js';
export type { ByteSource } from './ByteReader.js';
export { type BatchTensors, type BatchTensorsOptions, batchTensors, rowShapes } from './batchTensors.js';
export { columnTensor } from './columnTensor.js';
export { MAX_THREADS } from './countOption.js';
export { type ColumnDescription, describeSchema } from './describeSchema.js';
export { detectFormat, type FileFormat } from './detectFormat.js';
export {
  mapBatchesInWorkers,
  type WorkerBatchReader,
  type WorkerPlan,
  type WorkerReadOptions,
  type WorkerResult,
  type WorkerTask,
} from './mapBatchesInWorkers.js';
export { prestartWorkers } from './prestartWorkers.js';
export { type BatchReader, type ReadOptions, type ReadProgress, readBatches } from './readBatches.js';
export { type ReadTensorsOptions, readTensors, type TensorBatch } from './readTensors.js';
export { DEFAULT_INPUT_COLUMNS, DEFAULT_TARGET_COLUMNS, resolveColumns } from './resolveColumns.js';
export { type ElementType, type TensorLayout, tensorLayout, type UnusableLayout } from './tensorLayout.js';
export { type TrainingLogOptions, trainingLogBatches, trainingLogSchema } from './trainingLogBatches.js';
export type { WorkerTaskModule } from './workerProtocol.js';
export { type IpcStreamWriter, writeIpcFile, writeIpcStream } from './writeIpcStream.js';
export { type ParquetWriteOptions, writeParquet } from './writeParquet.js';
export { writeTrainingLog } from './writeTrainingLog.js';
