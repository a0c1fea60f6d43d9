import { open } from 'node:fs/promises';
import { parquetMetadata } from 'hyparquet/src/metadata.js';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { detectFormat, type FileFormat, MAGIC_BYTES } from '../format/detectFormat.js';
import { ioError } from '../io/ioError.js';
import { scanIpcFile, scanIpcStream } from '../ipc/scanIpcBlocks.js';
import { syncPositionalReads } from '../ipc/syncPositionalReads.js';

/**
 * A contiguous part of one file, as {@link fileParts} plans it: the `WorkerReadOptions.part` that
 * makes `mapBatchesInWorkers` read only it.
 */
export interface FilePart {
  readonly format: FileFormat;
  /**
   * First and end (exclusive) unit of the part: Arrow IPC batches counting the non-empty ones (as
   * results' `index` does), Parquet row groups counting every row group of the footer.
   */
  readonly first: number;
  readonly end: number;
  /**
   * Where reading the part starts (an Arrow IPC stream's message offset, an IPC file's block
   * index), so a reader of the part skips the headers before it; `undefined` for Parquet.
   */
  readonly seek?: number;
  /** Rows in the part. */
  readonly rows: number;
  /** Bytes of the part's batch bodies (Parquet: the row groups' uncompressed size). */
  readonly bytes: number;
}

/** Options of {@link fileParts}. */
export interface FilePartsOptions {
  /** A part is closed once it holds at least this many bytes (default 64 MiB). */
  readonly targetBytes?: number;
  /** Accept an IPC stream that ends without its end-of-stream marker. */
  readonly allowMissingEndOfStream?: boolean;
}

/** Default bytes per part: big enough that a part's fixed cost is small, small enough to spread a file. */
export const PART_BYTES = 64 * 1024 * 1024;

/**
 * Cuts a file into consecutive parts of whole batches (Arrow IPC) or whole row groups (Parquet)
 * of about `targetBytes` each, reading only message headers or the Parquet footer, so machines that
 * read the same file can each compute some parts (`mapBatchesInWorkers` with `part`). A part never
 * splits a batch: a batch's chunk is the same wherever it is computed. A file without rows has no
 * parts.
 *
 * @example
 * const parts = await fileParts('log.arrows', { targetBytes: 32 << 20 });
 */
export async function fileParts(path: string, options: FilePartsOptions = {}): Promise<FilePart[]> {
  const target = options.targetBytes ?? PART_BYTES;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const size = (await handle.stat()).size;
    const head = new Uint8Array(MAGIC_BYTES);
    await handle.read(head, 0, Math.min(MAGIC_BYTES, size), 0);
    const format = detectFormat(head);
    if (format === undefined) {
      throw new ArrowReadError('CORRUPT', 'the file is neither Arrow IPC nor Parquet', {
        file: path,
        hint: 'Pass an Arrow IPC stream or file, or a Parquet file.',
      });
    }
    const units: { rows: number; bytes: number; seek?: number }[] = [];
    if (format === 'parquet') {
      const tail = new Uint8Array(8);
      await handle.read(tail, 0, 8, size - 8);
      const length = new DataView(tail.buffer).getUint32(0, true);
      if (size < 12 || length + 12 > size) {
        throw new ArrowReadError('CORRUPT', 'the Parquet footer is damaged', {
          file: path,
          hint: 'Write the file again.',
        });
      }
      const footer = new Uint8Array(length + 8);
      await handle.read(footer, 0, footer.length, size - 8 - length);
      let meta: ReturnType<typeof parquetMetadata>;
      try {
        meta = parquetMetadata(footer.buffer);
      } catch (e) {
        throw new ArrowReadError('CORRUPT', `the Parquet footer cannot be read: ${String(e)}`, {
          file: path,
          hint: 'Write the file again.',
          cause: e,
        });
      }
      for (const g of meta.row_groups)
        units.push({ rows: Number(g.num_rows), bytes: Number(g.total_byte_size) });
    } else {
      const headers = syncPositionalReads(handle.fd);
      const scan =
        format === 'arrow-file'
          ? await scanIpcFile(headers, size, path)
          : await scanIpcStream(headers, size, path, options.allowMissingEndOfStream === true);
      for await (const at of scan.batches()) {
        // Empty batches are passed over, as the readers do: they have no index.
        if (at.header.rows > 0) units.push({ rows: at.header.rows, bytes: at.bodyLength, seek: at.seek });
      }
    }
    const parts: FilePart[] = [];
    let first = 0;
    let seek: number | undefined;
    let rows = 0;
    let bytes = 0;
    units.forEach((u, i) => {
      if (rows === 0 && bytes === 0) seek = u.seek;
      rows += u.rows;
      bytes += u.bytes;
      if (bytes >= target || i === units.length - 1) {
        if (rows > 0)
          parts.push({ format, first, end: i + 1, ...(seek === undefined ? {} : { seek }), rows, bytes });
        first = i + 1;
        rows = 0;
        bytes = 0;
      }
    });
    return parts;
  } finally {
    await handle.close();
  }
}
