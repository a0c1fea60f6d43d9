import { readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ArrowReadError } from './ArrowReadError.js';
import { decoderTrapError, isDecoderTrap } from './decoderTrap.js';

/** What a Parquet footer tells the reading thread before any row group is decoded. */
export interface ParquetMeta {
  /** Rows of each row group. */
  readonly rowGroups: readonly number[];
  /** The file's schema as an Arrow IPC stream (a schema message). */
  readonly schema: Uint8Array;
  /** Column chunks whose codec the decoder lacks: [row group, column path, codec name]. */
  readonly unsupported: readonly [number, string, string][];
}

/** A Parquet file open in a worker thread: its footer, then one row group at a time. */
export interface ParquetRowGroups {
  readonly meta: ParquetMeta;
  /** Row group `rowGroup`'s `columns` (top-level names), decoded to an Arrow IPC stream in batches of `batchSize` rows. */
  read(
    rowGroup: number,
    columns: readonly string[],
    batchSize: number,
    limit: number | undefined,
  ): Promise<Uint8Array>;
}

type Blobish = {
  size: number;
  slice(start?: number, end?: number): Blobish;
  arrayBuffer(): Promise<ArrayBuffer>;
};
type PwTable = { intoIPCStream(): Uint8Array };
type PwColumn = { columnPath(): string[]; compression(): number };
type PwFile = {
  metadata(): { numRowGroups(): number; rowGroup(i: number): { numRows(): number; columns(): PwColumn[] } };
  schema(): { intoIPCStream(): Uint8Array };
  read(options: Record<string, unknown>): Promise<PwTable>;
};

/**
 * Opens the Parquet file behind `fd` with parquet-wasm, which reads the footer and then only the
 * column chunks of the row groups and columns asked for, through a Blob-like view of the file.
 * For the workers of `mapBatchesInWorkers`, which decode row groups in parallel, each its own.
 *
 * @example
 * const file = await openParquetRowGroups(fd, size, 'log.parquet');
 * const ipc = await file.read(0, ['logits', 'target'], 65_536, undefined);
 */
export async function openParquetRowGroups(
  fd: number,
  size: number,
  name: string,
): Promise<ParquetRowGroups> {
  const pw = createRequire(import.meta.url)('parquet-wasm') as {
    ParquetFile: { fromFile(blob: Blobish): Promise<PwFile> };
  };
  const view = (start: number, end: number): Blobish => ({
    size: end - start,
    slice(s = 0, e = end - start) {
      const length = end - start;
      const from = s < 0 ? Math.max(length + s, 0) : Math.min(s, length);
      const to = e < 0 ? Math.max(length + e, 0) : Math.min(e, length);
      return view(start + from, start + Math.max(from, to));
    },
    async arrayBuffer() {
      const target = new Uint8Array(end - start);
      let done = 0;
      while (done < target.length) {
        const n = readSync(fd, target, done, target.length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      return done === target.length ? target.buffer : target.slice(0, done).buffer;
    },
  });
  let file: PwFile;
  try {
    file = await pw.ParquetFile.fromFile(view(0, size));
  } catch (e) {
    throw decodeError(e, name, undefined);
  }
  const metadata = file.metadata();
  const rowGroups: number[] = [];
  const unsupported: [number, string, string][] = [];
  for (let i = 0; i < metadata.numRowGroups(); i++) {
    const group = metadata.rowGroup(i);
    rowGroups.push(group.numRows());
    // The decoder traps (rather than failing) on a codec it was built without; LZO is one.
    for (const column of group.columns()) {
      const codec = column.compression();
      if (codec > 6)
        unsupported.push([i, column.columnPath().join('.'), codec === 7 ? 'LZO' : `codec ${codec}`]);
    }
  }
  return {
    meta: { rowGroups, schema: file.schema().intoIPCStream(), unsupported },
    async read(rowGroup, columns, batchSize, limit) {
      const options: Record<string, unknown> = { rowGroups: [rowGroup], batchSize, columns: [...columns] };
      if (limit !== undefined) options.limit = limit;
      try {
        return (await file.read(options)).intoIPCStream();
      } catch (e) {
        throw isDecoderTrap(e)
          ? decoderTrapError(e, name, rowGroup, columns)
          : decodeError(e, name, rowGroup);
      }
    },
  };
}

function decodeError(e: unknown, file: string, rowGroup: number | undefined): ArrowReadError {
  const message = e instanceof Error ? e.message : String(e);
  const context = { file, cause: e, ...(rowGroup === undefined ? {} : { rowGroup }) };
  if (/not (yet )?(implemented|supported)|unsupported|unknown (codec|compression)|codec/i.test(message)) {
    return new ArrowReadError('UNSUPPORTED', `the Parquet decoder cannot read this file: ${message}`, {
      ...context,
      hint: 'Write the file with a common codec (SNAPPY, ZSTD, GZIP, LZ4_RAW, BROTLI or none) and common types.',
    });
  }
  return new ArrowReadError('CORRUPT', `malformed Parquet data: ${message}`, {
    ...context,
    hint: 'The file is damaged or is not Parquet: write it again.',
  });
}
