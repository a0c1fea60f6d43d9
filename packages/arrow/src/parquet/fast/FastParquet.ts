import {
  type Data,
  type Field,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  tableFromIPC,
} from 'apache-arrow';
import { parquetSchema } from 'hyparquet/src/metadata.js';
import type { ColumnChunk, FileMetaData } from 'hyparquet/src/types.js';
import type { ReadAt } from '../ReadAt.js';
import { type ChunkShape, ColumnChunkDecoder, type DecodedChunk } from './ColumnChunkDecoder.js';
import { ColumnRows } from './ColumnRows.js';
import { FastPathFallback } from './FastPathFallback.js';
import { type FastColumn, fastColumns } from './fastColumns.js';
import { PageCorruption } from './PageCorruption.js';
import { readFooter } from './readFooter.js';
import { SnappyPages } from './SnappyPages.js';
import { ZstdPages } from './ZstdPages.js';

/** The codecs whose pages the fast path decompresses itself (each into one reused wasm memory). */
export const FAST_CODECS: readonly string[] = ['UNCOMPRESSED', 'SNAPPY', 'ZSTD'];

/** Which decoder a column chunk takes, and if the general one, why. */
export type ChunkPath = { readonly fast: true } | { readonly fast: false; readonly reason: string };

/** Reads the columns the fast path cannot decode with the general decoder, as an Arrow IPC stream. */
export type FallbackRead = (columns: readonly string[] | undefined) => Promise<Uint8Array>;

/**
 * The Parquet fast path, open on one file: footer and page headers parsed with hyparquet's
 * metadata functions, pages decoded by {@link ColumnChunkDecoder} into reused buffers. Chosen per
 * column chunk: a chunk it cannot decode (another codec or encoding, nulls, another type) is
 * decoded by parquet-wasm instead, and the two are put together into the same record batches,
 * with the same values, as parquet-wasm alone would give.
 */
export class FastParquet {
  readonly #snappy = new SnappyPages();
  readonly #zstd = new ZstdPages();
  readonly #decoders = new Map<string, ColumnChunkDecoder>();
  readonly #rows = new Map<string, ColumnRows>();
  #chunk = new Uint8Array(0);
  #out = new Uint8Array(0);

  private constructor(
    private readonly metadata: FileMetaData,
    private readonly columns: Map<string, FastColumn>,
    private readonly reasons: Map<string, string>,
    private readonly fields: readonly Field[],
    private readonly readAt: ReadAt,
    private readonly size: number,
    private readonly rangePageBytes: number | undefined,
  ) {}

  /**
   * Reads the footer of the file of `size` bytes behind `readAt`; undefined when it does not parse
   * (then the general decoder reads, and reports, the file). `options.rangePageBytes`: the size
   * from which SNAPPY pages are decompressed range by range (`RANGE_PAGE_BYTES`; tests make it small);
   * `options.metadata`: the footer as {@link readFooter} parsed it already (a big file's footer
   * costs tens of ms to parse).
   */
  static open(
    readAt: ReadAt,
    size: number,
    fields: readonly Field[],
    options: { readonly rangePageBytes?: number; readonly metadata?: FileMetaData } = {},
  ): FastParquet | undefined {
    try {
      const metadata = options.metadata ?? readFooter(readAt, size);
      if (metadata === undefined) return undefined;
      const { columns, reasons } = fastColumns(parquetSchema(metadata), fields);
      return new FastParquet(metadata, columns, reasons, fields, readAt, size, options.rangePageBytes);
    } catch {
      return undefined;
    }
  }

  /** Each row group's rows, as the footer says. */
  rowCounts(): number[] {
    return this.metadata.row_groups.map((g) => Number(g.num_rows));
  }

  /** The decoder column `name`'s chunk of `rowGroup` takes, judged by schema and footer. */
  path(rowGroup: number, name: string): ChunkPath {
    const column = this.columns.get(name);
    if (column === undefined) return { fast: false, reason: this.reasons.get(name) ?? 'not in the file' };
    const chunk = this.metadata.row_groups[rowGroup]?.columns[column.chunk];
    const meta = chunk?.meta_data;
    if (chunk === undefined || meta === undefined) return { fast: false, reason: 'no column metadata' };
    if (chunk.file_path !== undefined) return { fast: false, reason: 'in another file' };
    if (!FAST_CODECS.includes(meta.codec)) return { fast: false, reason: `codec ${meta.codec}` };
    const other = meta.encodings.find(
      (e) =>
        e !== 'PLAIN' &&
        e !== 'PLAIN_DICTIONARY' &&
        e !== 'RLE_DICTIONARY' &&
        e !== 'RLE' &&
        e !== 'BIT_PACKED',
    );
    if (other !== undefined) return { fast: false, reason: other };
    const nulls = meta.statistics?.null_count;
    if (nulls !== undefined && nulls > 0n)
      return { fast: false, reason: column.layout === 'scalar' ? 'nulls' : 'nulls in list' };
    return { fast: true };
  }

  /**
   * Rows `[first, end)` of `columns` (in that order) of `rowGroup`, located page by page (see
   * {@link ColumnRows}; one reader per column, reused from call to call): their values are then
   * copied with `copyValues`. `undefined` when a column's chunk takes the general decoder.
   *
   * @throws {FastPathFallback} when a chunk turns out to need the general decoder after all
   * @throws {PageCorruption} when a page the fast path reads is damaged
   */
  locateRows(
    rowGroup: number,
    columns: readonly string[],
    first: number,
    end: number,
  ): readonly ColumnRows[] | undefined {
    const group = this.metadata.row_groups[rowGroup];
    if (group === undefined) return undefined;
    const rows = Number(group.num_rows);
    if (!(first >= 0 && first <= end && end <= rows)) return undefined;
    if (!columns.every((name) => this.path(rowGroup, name).fast)) return undefined;
    return columns.map((name) => {
      const column = this.columns.get(name)!;
      let reader = this.#rows.get(name);
      if (reader === undefined) {
        reader = new ColumnRows(this.readAt, this.size, column, this.rangePageBytes);
        this.#rows.set(name, reader);
      }
      try {
        reader.locate(group.columns[column.chunk]!, rows, first, end);
      } catch (e) {
        if (e instanceof PageCorruption)
          throw new PageCorruption(`column '${name}', row group ${rowGroup}: ${e.detail}`);
        throw e;
      }
      return reader;
    });
  }

  /**
   * `columns` of `rowGroup` in batches of `batchSize` rows, stopping after `limit` rows, as one
   * Arrow IPC stream; `fallback` reads the columns the fast path leaves. The stream is a view of
   * a buffer the next `read` reuses: use it (or transfer its buffer) before reading again.
   *
   * @throws {PageCorruption} when a page the fast path decodes is damaged
   */
  async read(
    rowGroup: number,
    columns: readonly string[] | undefined,
    batchSize: number,
    limit: number | undefined,
    fallback: FallbackRead,
  ): Promise<Uint8Array> {
    // In the file's order, whatever order they were asked in, as parquet-wasm gives them.
    const names = this.fields.map((f) => f.name).filter((n) => columns === undefined || columns.includes(n));
    const group = this.metadata.row_groups[rowGroup];
    const rows = group === undefined ? 0 : Number(group.num_rows);
    const fast = names.filter((n) => this.path(rowGroup, n).fast);
    if (group === undefined || rows === 0 || fast.length === 0) return fallback(columns);
    const decoded = new Map<string, DecodedChunk>();
    for (const name of fast) {
      const column = this.columns.get(name)!;
      try {
        decoded.set(name, this.#decode(group.columns[column.chunk]!, column, rows));
      } catch (e) {
        if (e instanceof FastPathFallback) continue;
        if (e instanceof PageCorruption)
          throw new PageCorruption(`column '${name}', row group ${rowGroup}: ${e.detail}`);
        throw e;
      }
    }
    if (decoded.size === 0) return fallback(columns);
    const rest = names.filter((n) => !decoded.has(n));
    const other = rest.length === 0 ? undefined : tableFromIPC(await fallback(rest));
    const out = Math.min(rows, limit ?? rows);
    const step = Math.max(1, batchSize);
    const fields = names.map((n) => this.fields.find((f) => f.name === n)!);
    const schema = new Schema(fields);
    const batches: RecordBatch[] = [];
    for (let from = 0, k = 0; from < out; from += step, k++) {
      const to = Math.min(out, from + step);
      const theirs = other?.batches[k];
      if (other !== undefined && theirs?.numRows !== to - from) return fallback(columns);
      const children = names.map((name) => {
        const mine = decoded.get(name);
        if (mine !== undefined) return columnData(this.columns.get(name)!, mine, from, to, rows);
        const at = theirs!.schema.fields.findIndex((f) => f.name === name);
        return theirs!.data.children[at] as Data;
      });
      batches.push(
        new RecordBatch(
          schema,
          makeData({ type: new Struct(fields), length: to - from, nullCount: 0, children }),
        ),
      );
    }
    return this.#stream(new Table(schema, batches));
  }

  /**
   * The table as an Arrow IPC stream in a buffer reused from read to read (a fresh one only when
   * it grows or was transferred away): filling fresh memory costs far more than the copy.
   */
  async #stream(table: Table): Promise<Uint8Array> {
    const writer = RecordBatchStreamWriter.writeAll(table);
    const chunks: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of writer) {
      chunks.push(chunk);
      length += chunk.length;
    }
    // A transferred buffer is detached: its length reads 0.
    if (this.#out.byteLength < length) this.#out = new Uint8Array(Math.ceil(length * 1.125));
    let at = 0;
    for (const chunk of chunks) {
      this.#out.set(chunk, at);
      at += chunk.length;
    }
    return this.#out.subarray(0, length);
  }

  #decode(chunk: ColumnChunk, column: FastColumn, rows: number): DecodedChunk {
    const meta = chunk.meta_data!;
    const dictionary = meta.dictionary_page_offset;
    const start = Number(
      dictionary !== undefined && dictionary > 0n && dictionary < meta.data_page_offset
        ? dictionary
        : meta.data_page_offset,
    );
    const length = Number(meta.total_compressed_size);
    if (!(start >= 0 && length >= 0 && start + length <= this.size))
      throw new PageCorruption(
        `the column chunk at ${start} (${length} bytes) runs past the end of the file`,
      );
    if (this.#chunk.length < length) this.#chunk = new Uint8Array(length);
    const bytes = this.#chunk.subarray(0, length);
    if (this.readAt(bytes, start) !== length) throw new PageCorruption('the column chunk is cut short');
    const shape: ChunkShape = {
      codec: meta.codec,
      valueBytes: column.valueBytes,
      maxDefinition: column.maxDefinition,
      maxRepetition: column.maxRepetition,
      values: Number(meta.num_values),
    };
    let decoder = this.#decoders.get(column.name);
    if (decoder === undefined) {
      decoder = new ColumnChunkDecoder(this.#snappy, this.#zstd);
      this.#decoders.set(column.name, decoder);
    }
    const decoded = decoder.decode(bytes, shape);
    const starts = decoded.rowStarts;
    const counted = starts === undefined ? decoded.values : starts.length;
    if (counted !== rows)
      throw new PageCorruption(`the column chunk holds ${counted} rows, its row group ${rows}`);
    if (column.layout === 'fixed') {
      const n = column.listSize;
      if (decoded.values !== rows * n) throw new FastPathFallback('lists of other sizes');
      for (let r = 0; r < rows; r++)
        if (starts![r] !== r * n) throw new FastPathFallback('lists of other sizes');
    }
    return decoded;
  }
}

/** Rows [from, to) of a decoded chunk as Arrow data of the column's type (views, no copies). */
function columnData(column: FastColumn, decoded: DecodedChunk, from: number, to: number, rows: number): Data {
  const { type, layout } = column;
  const item = layout === 'scalar' ? type : type.children[0]!.type;
  const values = (first: number, end: number): Data => {
    const buffer = decoded.bytes.buffer;
    const offset = decoded.bytes.byteOffset + first * column.valueBytes;
    const n = end - first;
    const data =
      item.ArrayType === BigInt64Array
        ? new BigInt64Array(buffer, offset, n)
        : new (item.ArrayType as Float32ArrayConstructor)(buffer, offset, n);
    return makeData({ type: item, length: n, nullCount: 0, data } as never);
  };
  if (layout === 'scalar') return values(from, to);
  if (layout === 'fixed') {
    const n = column.listSize;
    return makeData({ type, length: to - from, nullCount: 0, child: values(from * n, to * n) } as never);
  }
  const starts = decoded.rowStarts!;
  const base = starts[from]!;
  const end = to < rows ? starts[to]! : decoded.values;
  const offsets = new Int32Array(to - from + 1);
  for (let r = from; r < to; r++) offsets[r - from] = starts[r]! - base;
  offsets[to - from] = end - base;
  return makeData({
    type,
    length: to - from,
    nullCount: 0,
    valueOffsets: offsets,
    child: values(base, end),
  } as never);
}
