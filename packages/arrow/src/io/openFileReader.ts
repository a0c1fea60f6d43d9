import type { ByteReader } from './ByteReader.js';
import { ChunkByteReader } from './ChunkByteReader.js';
import { FileByteReader } from './FileByteReader.js';

/**
 * The {@link ByteReader} for a path (Node): a regular file gets random access through a file
 * handle; a pipe or device path is read as a stream from the descriptor that same open gave.
 *
 * @example
 * const reader = await openFileReader('log.parquet');
 */
export async function openFileReader(path: string, signal?: AbortSignal): Promise<ByteReader> {
  const opened = await FileByteReader.open(path, signal);
  if (opened instanceof FileByteReader) return opened;
  // The stream closes the handle when it ends or is destroyed (ChunkByteReader.close ends it).
  return new ChunkByteReader(opened.createReadStream()[Symbol.asyncIterator](), path, signal);
}
