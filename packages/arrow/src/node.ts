/**
 * `@lossflow/arrow/node`: what needs Node: reading files by path ({@link readFile}, with the
 * descriptor and change checks), the worker-thread pool, and the file writers.
 *
 * @packageDocumentation
 */
export {
  mapBatchesInWorkers,
  type WorkerBatchReader,
  type WorkerPlan,
  type WorkerReadOptions,
  type WorkerResult,
  type WorkerTask,
} from './mapBatchesInWorkers.js';
export { prestartWorkers } from './prestartWorkers.js';
export { type FileSource, readFile, readFileTensors } from './readFile.js';
export { type IpcStreamWriter, writeIpcFile, writeIpcStream } from './writeIpcStream.js';
export { type ParquetWriteOptions, writeParquet } from './writeParquet.js';
export { writeTrainingLog } from './writeTrainingLog.js';
