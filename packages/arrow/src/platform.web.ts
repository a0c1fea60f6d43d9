import { ArrowReadError } from './errors/ArrowReadError.js';
import type { FileFormat } from './format/detectFormat.js';
import { BlobByteReader } from './io/BlobByteReader.js';
import type { ByteReader } from './io/ByteReader.js';

/**
 * What reading needs from the runtime outside Node (the `default` condition of the package's
 * `#platform` import): no file system and no worker threads, so nothing here imports `node:*`.
 */

/** Bytes pulled from a stream at a time while it is gathered into a blob. */
const GATHER_CHUNK = 1 << 20;

/**
 * `bytes` as the reader of `format` needs them: an Arrow IPC file keeps its index at the end, so a
 * stream is gathered into a `Blob` (a browser may keep a large one on disk rather than in memory)
 * and read from there with random access; so is Parquet, whose footer comes last. Everything else
 * is returned as it is.
 *
 * @example
 * bytes = await readableAs('arrow-file', new ChunkByteReader(body, '<stream>'));
 */
export async function readableAs(
  format: FileFormat,
  bytes: ByteReader,
  signal?: AbortSignal,
): Promise<ByteReader> {
  if ((format !== 'arrow-file' && format !== 'parquet') || bytes.readInto !== undefined) return bytes;
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      if (signal?.aborted) throw new ArrowReadError('ABORTED', 'reading was aborted', { file: bytes.name });
      const chunk = await bytes.read(GATHER_CHUNK);
      // The reader may hand out views of its own buffers: copy before the next read reuses them.
      if (chunk.length > 0) parts.push(chunk.slice());
      if (chunk.length < GATHER_CHUNK) break;
    }
  } finally {
    await bytes.close().catch(() => undefined);
  }
  return new BlobByteReader(
    new Blob(parts as unknown as ConstructorParameters<typeof Blob>[0]),
    bytes.name,
    signal,
  );
}

/**
 * Parquet outside Node: by the page-level fast path alone (see `readParquetWeb`); a column chunk
 * that needs the Node-only general decoder is refused with `UNSUPPORTED`, saying why.
 */
export { readParquetWeb as readParquet } from './parquet/webParquet.js';
