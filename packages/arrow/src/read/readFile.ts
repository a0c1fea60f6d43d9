import type { ByteReader, ByteSource } from '../io/ByteReader.js';
import { FollowingByteReader } from '../io/FollowingByteReader.js';
import type { FollowOptions } from '../io/FollowOptions.js';
import { followFile, notAStream } from '../io/followFile.js';
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

/** Options of {@link readFile}: those of `readBatches`, and following a growing file. */
export interface FileReadOptions extends ReadOptions {
  /**
   * A path to an Arrow IPC stream only: follow the file while a writer appends to it (`tail -f`).
   * At the file's current end reading waits for more bytes instead of ending, so a partly written
   * last message is waited for, never reported as damage; it ends at the end-of-stream marker, or
   * when `follow.stop` aborts (then as if the file ended there: without `allowMissingEndOfStream`
   * that is `TRUNCATED` after the batches read). An empty file is waited on; an Arrow IPC file or
   * Parquet file is `UNSUPPORTED` (their footer comes last). `true` is `{}`. Off by default.
   */
  follow?: boolean | FollowOptions;
  /**
   * Parquet only: read row groups `first` ≤ g < `end` (default: to the last) instead of all, as
   * `fileParts` numbers them, so a reader of one part of a file (a distributed work item) starts
   * at its first row group without decoding those before it; the batches are the ones a whole
   * read gives for those row groups, and `limit` counts from `first`. Any other format is
   * `INVALID_OPTION`.
   */
  parquetRowGroups?: { readonly first: number; readonly end?: number } | undefined;
}

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
export function readFile(source: FileSource, options: FileReadOptions = {}): BatchReader {
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
export function readFileProjected(
  source: FileSource,
  options: ProjectingReadOptions & Pick<FileReadOptions, 'follow'> = {},
): BatchReader {
  const { follow, ...rest } = options;
  if (typeof source !== 'string') return readBatchesProjected(source, rest);
  if (follow !== undefined && follow !== false) {
    return readOpened(source, (signal) => openFollowing(source, follow === true ? {} : follow, signal), rest);
  }
  return readOpened(source, (signal) => openFileReader(source, signal), rest);
}

/** A growing file's bytes as they land, once its first bytes show it is an Arrow IPC stream. */
async function openFollowing(path: string, follow: FollowOptions, signal?: AbortSignal): Promise<ByteReader> {
  const reader = new FollowingByteReader(followFile(path, follow)[Symbol.asyncIterator](), path, signal);
  const head = await reader.peek(6);
  const text = new TextDecoder().decode(head);
  const format = text.startsWith('ARROW1')
    ? 'an Arrow IPC file'
    : text.startsWith('PAR1')
      ? 'a Parquet file'
      : '';
  if (format !== '') {
    await reader.close();
    throw notAStream(path, format);
  }
  return reader;
}
