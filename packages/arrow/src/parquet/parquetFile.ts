import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import type { FileMetaData } from 'hyparquet/src/types.js';
import type { ColumnRows } from './fast/ColumnRows.js';
import { type ChunkPath, FastParquet } from './fast/FastParquet.js';
import { PageCorruption } from './fast/PageCorruption.js';
import type { ReadAt } from './ReadAt.js';

/** What a Parquet footer tells the reading thread before any row group is decoded. */
export interface ParquetMeta {
  /** Rows of each row group. */
  readonly rowGroups: readonly number[];
  /** The file's schema as an Arrow IPC stream (a schema message). */
  readonly schema: Uint8Array;
  /** Column chunks whose codec the decoder lacks: [row group, column path, codec name]. */
  readonly unsupported: readonly [number, string, string][];
}

/** A Parquet file open in the decoder: its footer, then any row group on request. */
export interface ParquetFile {
  readonly meta: ParquetMeta;
  /** The decoder column `name`'s chunk of `rowGroup` takes (the fast path or parquet-wasm, and why). */
  path(rowGroup: number, name: string): ChunkPath;
  /** Whether parquet-wasm has opened the file (at once, or, opened with a known schema, once needed). */
  generalOpened(): boolean;
  /**
   * Rows `[first, end)` of `columns` (in that order) of `rowGroup`, located by the fast path's
   * page-by-page readers (`fast/ColumnRows.ts`), whose `copyValues` then copies them where the
   * caller wants; `undefined` when a column takes parquet-wasm (or the fast path is off).
   *
   * @throws {FastPathFallback} or {PageCorruption} (then decode the rows with `read`)
   */
  locateRows(
    rowGroup: number,
    columns: readonly string[],
    first: number,
    end: number,
  ): readonly ColumnRows[] | undefined;
  /**
   * Row group `rowGroup` (of `columns`, by top-level name, or all), decoded to one Arrow IPC stream
   * in batches of `batchSize` rows, stopping after `limit` rows. Fails as the decoder does (an
   * `Error` with its message, or a trap that no caller can catch: see `decoderTrap.ts`). The
   * stream may be a view of a buffer the next `read` reuses: use it, or transfer its buffer,
   * before reading again.
   */
  read(
    rowGroup: number,
    columns: readonly string[] | undefined,
    batchSize: number,
    limit: number | undefined,
  ): Promise<Uint8Array>;
}

/** Options of {@link openParquetFile}. */
export interface ParquetFileOptions {
  /** Decode the column chunks it can with the fast path (default true); false: parquet-wasm only. */
  readonly fastPath?: boolean;
  /** Pages from this size on are decompressed range by range (see `fast/ColumnRows.ts`; tests make it small). */
  readonly rangePageBytes?: number;
  /**
   * The file's schema as `meta.schema` gave it before (a worker of a pool whose reading thread
   * has the footer): parquet-wasm is then loaded only when a column chunk needs it (its module
   * costs each thread about 20 MB and 0.1 s), and `meta` holds the footer's row counts, this
   * schema and no unsupported codecs (the pool checked them).
   */
  readonly schema?: Uint8Array;
  /** With `schema`: the footer as `readFooter` parsed it already in this thread (not parsed again). */
  readonly metadata?: FileMetaData;
}

type Blobish = {
  size: number;
  slice(start?: number, end?: number): Blobish;
  arrayBuffer(): Promise<ArrayBuffer>;
};
type PwTable = { intoIPCStream(): Uint8Array };
type PwColumn = { columnPath(): string[]; compression(): number };
type PwFile = {
  metadata(): {
    fileMetadata(): { numRows(): number };
    numRowGroups(): number;
    rowGroup(i: number): { numRows(): number; columns(): PwColumn[] };
  };
  schema(): { intoIPCStream(): Uint8Array };
  read(options: Record<string, unknown>): Promise<PwTable>;
};

/**
 * The one Parquet decoding body, run wherever a Parquet file is decoded: in the worker thread of
 * the in-thread reader (`parquetWorker.ts`, started by `readParquet`) and in each thread of the
 * worker pool (`parquetRowGroups.ts`). It opens the file with parquet-wasm's `ParquetFile`, which
 * reads the footer and then only the column chunks of the row group and columns asked for,
 * through a Blob-like view of the file whose reads go through `readAt` (`onRead` counts them).
 * Column chunks the fast path can decode (`fast/FastParquet.ts`: SNAPPY, ZSTD or uncompressed pages of
 * FLOAT/DOUBLE/INT32/INT64 values with no nulls, alone or in lists) skip parquet-wasm; both give
 * the same record batches.
 *
 * @example
 * const file = await openParquetFile(readAtFd(fd), size);
 * const ipc = await file.read(0, ['logits', 'target'], 65_536, undefined);
 */
export async function openParquetFile(
  readAt: ReadAt,
  size: number,
  onRead: (bytes: number) => void = () => undefined,
  options: ParquetFileOptions = {},
): Promise<ParquetFile> {
  const given = options.schema;
  if (given !== undefined) {
    const fast =
      options.fastPath === false
        ? undefined
        : FastParquet.open(
            (target, position) => {
              const got = readAt(target, position);
              onRead(got);
              return got;
            },
            size,
            tableFromIPC(given).schema.fields,
            {
              ...(options.rangePageBytes === undefined ? {} : { rangePageBytes: options.rangePageBytes }),
              ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
            },
          );
    if (fast !== undefined) return withGeneral(fast.rowCounts(), given, fast, readAt, size, onRead);
  }
  return withGeneral(undefined, undefined, undefined, readAt, size, onRead, options);
}

/**
 * The file with parquet-wasm as its general decoder: opened now (its footer then gives `meta`,
 * and the fast path is opened here unless `options` turn it off), or, given the row counts,
 * schema and fast path of a footer read before, on the first row group a column needs it for.
 */
async function withGeneral(
  rowCounts: number[] | undefined,
  knownSchema: Uint8Array | undefined,
  knownFast: FastParquet | undefined,
  readAt: ReadAt,
  size: number,
  onRead: (bytes: number) => void,
  options: ParquetFileOptions = {},
): Promise<ParquetFile> {
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
      const got = readAt(target, start);
      onRead(got);
      return got === target.length ? target.buffer : target.slice(0, got).buffer;
    },
  });
  const openGeneral = async (): Promise<PwFile> => {
    const pw = createRequire(import.meta.url)('parquet-wasm') as {
      ParquetFile: { fromFile(blob: Blobish): Promise<PwFile> };
    };
    return pw.ParquetFile.fromFile(view(0, size));
  };
  if (rowCounts !== undefined && knownSchema !== undefined && knownFast !== undefined) {
    let opened: Promise<PwFile> | undefined;
    return fileOf(
      { rowGroups: rowCounts, schema: knownSchema, unsupported: [] },
      knownFast,
      () => {
        opened ??= openGeneral();
        return opened;
      },
      () => opened !== undefined,
    );
  }
  const file = await openGeneral();
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
  // A damaged row count would silently drop (or invent) rows: the row groups must add up to the file's.
  const declared = Number(metadata.fileMetadata().numRows());
  const counted = rowGroups.reduce((a, b) => a + b, 0);
  if (counted !== declared) {
    throw new Error(`the footer's row groups hold ${counted} rows, but it says the file has ${declared}`);
  }
  const schema = file.schema().intoIPCStream();
  // The footer was counted as parquet-wasm read it: only the fast path's page reads count.
  let counting = false;
  const fast =
    options.fastPath === false
      ? undefined
      : FastParquet.open(
          (target, position) => {
            const got = readAt(target, position);
            if (counting) onRead(got);
            return got;
          },
          size,
          tableFromIPC(schema).schema.fields,
          options.rangePageBytes === undefined ? {} : { rangePageBytes: options.rangePageBytes },
        );
  counting = true;
  return fileOf(
    { rowGroups, schema, unsupported },
    fast,
    async () => file,
    () => true,
  );
}

/** The `ParquetFile` of a footer's `meta`, its fast path (if any) and its general decoder (opened by `general`). */
function fileOf(
  meta: ParquetMeta,
  fast: FastParquet | undefined,
  opened: () => Promise<PwFile>,
  generalOpened: () => boolean,
): ParquetFile {
  const general = async (
    rowGroup: number,
    columns: readonly string[] | undefined,
    batchSize: number,
    limit: number | undefined,
  ): Promise<Uint8Array> => {
    const options: Record<string, unknown> = { rowGroups: [rowGroup], batchSize };
    if (columns !== undefined) options.columns = [...columns];
    if (limit !== undefined) options.limit = limit;
    return (await (await opened()).read(options)).intoIPCStream();
  };
  return {
    meta,
    generalOpened,
    locateRows(rowGroup, columns, first, end) {
      return fast?.locateRows(rowGroup, columns, first, end);
    },
    path(rowGroup, name) {
      return fast?.path(rowGroup, name) ?? { fast: false, reason: 'the fast path is off' };
    },
    async read(rowGroup, columns, batchSize, limit) {
      if (fast === undefined) return general(rowGroup, columns, batchSize, limit);
      try {
        return await fast.read(rowGroup, columns, batchSize, limit, (rest) =>
          general(rowGroup, rest, batchSize, limit),
        );
      } catch (e) {
        // A damaged page: parquet-wasm decodes the row group again and reports it (or, if it
        // reads it, gives what it always gave), so damaged files fail as they always did.
        if (e instanceof PageCorruption) return general(rowGroup, columns, batchSize, limit);
        throw e;
      }
    },
  };
}
