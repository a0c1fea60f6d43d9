import type { ByteSource } from '../io/ByteReader.js';
import { openFileReader } from '../io/openFileReader.js';
import {
  type BatchReader,
  type ProjectingReadOptions,
  type ReadOptions,
  readBatchesProjected,
  readOpened,
} from './readBatches.js';
import { type ReadTensorsOptions, type TensorReader, type TensorRoles, tensorsOf } from './readTensors.js';

/** What Node reads: a file path, or any source `readBatches` takes. */
export type FileSource = string | ByteSource;

/**
 * `readBatches` for Node, where the input may also be a file path: a regular file is read through
 * one open descriptor (an Arrow IPC file and Parquet by random access, Parquet decoded in a worker
 * thread); a pipe or device path (`/dev/stdin`) is streamed. A regular file written to while it is
 * read (rewritten in place, appended to) fails with `CHANGED`: its size and times are checked on the
 * open descriptor after each batch and before the end. Any other source is read as `readBatches`
 * reads it, an Arrow IPC file or Parquet from a stream through a temporary file.
 *
 * @example
 * const reader = readFile('train-log.parquet', { columns: ['logits', 'target'], limit: 1_000_000 });
 * for await (const batch of reader) console.log(batch.numRows, reader.progress.bytesRead);
 */
export function readFile(source: FileSource, options: ReadOptions = {}): BatchReader {
  return readFileProjected(source, options);
}

/**
 * `readTensors` for Node, where the input may also be a file path (see {@link readFile}).
 *
 * @example
 * for await (const { tensors } of readFileTensors('log.parquet', { target: 'label' })) use(tensors);
 */
export function readFileTensors(
  source: FileSource,
  wanted: TensorRoles = {},
  options: ReadTensorsOptions = {},
): TensorReader {
  return tensorsOf((o) => readFileProjected(source, o), wanted, options);
}

/**
 * {@link readFile} whose `columns` may be chosen from the schema before any column is decoded.
 *
 * @example
 * readFileProjected('log.parquet', { columns: (s) => s.fields.slice(0, 2).map((f) => f.name) });
 */
export function readFileProjected(source: FileSource, options: ProjectingReadOptions = {}): BatchReader {
  if (typeof source !== 'string') return readBatchesProjected(source, options);
  return readOpened(source, (signal) => openFileReader(source, signal), options);
}
