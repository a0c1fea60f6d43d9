/**
 * `@lossflow/arrow/node`: what needs Node: reading files by path ({@link readFile}, with the
 * descriptor and change checks), the worker-thread pool, and the file writers.
 *
 * @packageDocumentation
 */

export type { FollowOptions } from './io/FollowOptions.js';
export { machineTag, processAlive, removeRegularFile } from './io/processTag.js';
export { type FilePart, type FilePartsOptions, fileParts, PART_BYTES } from './parallel/fileParts.js';
export {
  mapBatchesInWorkers,
  type WorkerBatchReader,
  type WorkerPlan,
  type WorkerReadOptions,
  type WorkerResult,
  type WorkerTask,
} from './parallel/mapBatchesInWorkers.js';
export { endWaitingWorkers, prestartWorkers } from './parallel/prestartWorkers.js';
export {
  PAGE_MEMORY_BUDGET,
  type ParquetChunkInfo,
  type ParquetChunkReport,
  type ParquetChunkReportOptions,
  parquetChunkReport,
} from './parquet/parquetChunkReport.js';
export { type FileReadOptions, type FileSource, readFile, readFileTensors } from './read/readFile.js';
export { type IpcStreamWriter, writeIpcFile, writeIpcStream } from './write/writeIpcStream.js';
export { type ParquetWriteOptions, writeParquet } from './write/writeParquet.js';
export { writeTrainingLog } from './write/writeTrainingLog.js';
