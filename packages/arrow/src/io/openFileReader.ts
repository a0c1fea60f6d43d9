import type { ByteReader } from './ByteReader.js';
import { ChunkByteReader } from './ChunkByteReader.js';
import { FileByteReader } from './FileByteReader.js';

/**
 * The {@link ByteReader} for a path (Node): a regular file gets random access through a file
 * handle; a pipe or device path is read as a stream.
 *
 * @example
 * const reader = await openFileReader('log.parquet');
 */
export async function openFileReader(path: string, signal?: AbortSignal): Promise<ByteReader> {
  const file = await FileByteReader.open(path, signal);
  if (file !== undefined) return file;
  const { createReadStream } = await import('node:fs');
  return new ChunkByteReader(createReadStream(path)[Symbol.asyncIterator](), path, signal);
}
