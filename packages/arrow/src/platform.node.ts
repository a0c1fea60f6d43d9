import type { FileFormat } from './format/detectFormat.js';
import type { ByteReader } from './io/ByteReader.js';
import { MemoryByteReader } from './io/MemoryByteReader.js';
import { spillToTempFile } from './io/spillToTempFile.js';

// What reading needs from the runtime, in Node (chosen by the `node` condition of the package's
// `#platform` import): temporary files, and Parquet decoded by parquet-wasm in a worker thread.

/** Parquet's reader (`parquet/readParquet.ts`), loaded on first use. */
export async function readParquet(
  ...args: Parameters<typeof import('./parquet/readParquet.js').readParquet>
): ReturnType<typeof import('./parquet/readParquet.js').readParquet> {
  // Loaded on the first Parquet input only: the Parquet readers (parquet-wasm's worker, hyparquet,
  // the fast path's decoders) are most of this package's code, and an Arrow IPC read never needs them.
  return (await import('./parquet/readParquet.js')).readParquet(...args);
}

/**
 * `bytes` as the reader of `format` needs them. An Arrow IPC file keeps its index at the end, so a
 * stream or pipe goes to a temporary file first; Parquet's decoder thread reads a file descriptor,
 * so any input not already a file or in memory (a stream, a `Blob`) goes to a temporary file rather
 * than into memory whole. Everything else is returned as it is.
 *
 * @example
 * bytes = await readableAs('parquet', bytes, signal);
 */
export async function readableAs(
  format: FileFormat,
  bytes: ByteReader,
  signal?: AbortSignal,
): Promise<ByteReader> {
  const spill =
    format === 'parquet'
      ? bytes.fd === undefined && !(bytes instanceof MemoryByteReader)
      : format === 'arrow-file' && bytes.readInto === undefined;
  return spill ? spillToTempFile(bytes, signal) : bytes;
}
