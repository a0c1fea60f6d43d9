import {
  Binary,
  Bool,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Null,
  type RecordBatch,
  RecordBatchReader,
  Schema,
  tableFromIPC,
  Utf8,
} from 'apache-arrow';
import { parquetMetadata, parquetSchema } from 'hyparquet/src/metadata.js';
import type { FileMetaData, SchemaTree } from 'hyparquet/src/types.js';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { FormatReader } from '../format/FormatReader.js';
import type { ByteReader } from '../io/ByteReader.js';
import { projectSchema } from '../schema/projectSchema.js';
import { withSchema } from '../schema/withSchema.js';
import { FastParquet } from './fast/FastParquet.js';
import { FastPathFallback } from './fast/FastPathFallback.js';
import { PageCorruption } from './fast/PageCorruption.js';

/** Options of {@link readParquetWeb} (those of Node's `readParquet`). */
export interface WebParquetOptions {
  columns?: readonly string[] | ((schema: Schema) => readonly string[]) | undefined;
  limit?: number | undefined;
  signal?: AbortSignal | undefined;
  batchRows?: number | undefined;
  /** Only row groups `first` ≤ g < `end` (to the last without `end`); `limit` counts from `first`. */
  rowGroups?: { readonly first: number; readonly end?: number } | undefined;
}

/**
 * Parquet outside Node, by the page-level fast path alone (`fast/FastParquet.ts`: hyparquet's
 * footer parser, the vendored Snappy and Zstandard WebAssembly): footer first, then for each row
 * group only the column chunks asked for, each fetched with one random-access read of the blob.
 * The record batches are those Node's reader gives (the same schema, from the footer's
 * `ARROW:schema` when the writer stored one, row groups in batches of `batchRows`). A column chunk
 * that needs the general decoder (parquet-wasm, Node only: another codec or encoding, nulls, a
 * type the fast path lacks) fails with `UNSUPPORTED`, naming the column, the row group and why.
 *
 * @example
 * const source = await readParquetWeb(new BlobByteReader(file, file.name), { columns: ['logits', 'target'] });
 */
export async function readParquetWeb(
  bytes: ByteReader,
  options: WebParquetOptions = {},
): Promise<FormatReader> {
  const file = bytes.name;
  const size = bytes.totalBytes;
  const readInto = bytes.readInto?.bind(bytes);
  if (size === undefined || readInto === undefined) {
    await bytes.close().catch(() => undefined);
    throw new ArrowReadError('UNSUPPORTED', 'Parquet is read here only from a file or blob', {
      file,
      hint: 'Pass the File (or a Blob) rather than a stream.',
    });
  }
  let counted = 0;
  const fetch = async (position: number, length: number): Promise<Uint8Array> => {
    const out = new Uint8Array(length);
    const got = await readInto(out, 0, length, position);
    counted += got;
    return got === length ? out : out.subarray(0, got);
  };
  try {
    if (size < 12) throw tooShort(file, size);
    const tail = await fetch(size - 8, 8);
    if (!(tail[4] === 0x50 && tail[5] === 0x41 && tail[6] === 0x52 && tail[7] === 0x31))
      throw new ArrowReadError('TRUNCATED', 'the file does not end with the PAR1 marker after its footer', {
        file,
        hint: 'The file was cut short or is still being written: copy it again once its writer has closed it.',
      });
    const length = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
    if (length + 12 > size)
      throw new ArrowReadError('CORRUPT', `the footer says it is ${length} bytes, longer than the file`, {
        file,
        hint: 'The file is damaged: write it again.',
      });
    const footer = await fetch(size - 8 - length, length + 8);
    let metadata: FileMetaData;
    try {
      metadata = parquetMetadata(footer);
    } catch (e) {
      throw new ArrowReadError('CORRUPT', `the Parquet footer does not parse: ${messageOf(e)}`, {
        file,
        cause: e,
      });
    }
    const rowGroups = metadata.row_groups.map((g) => Number(g.num_rows));
    const total = rowGroups.reduce((a, b) => a + b, 0);
    if (total !== Number(metadata.num_rows))
      throw new ArrowReadError(
        'CORRUPT',
        `the footer's row groups hold ${total} rows, but it says the file has ${metadata.num_rows}`,
        { file, hint: 'The file is damaged: write it again.' },
      );
    const fileSchema = arrowSchema(metadata);
    const picked = typeof options.columns === 'function' ? options.columns(fileSchema) : options.columns;
    const columns = picked === undefined ? fileSchema.fields.map((f) => f.name) : [...picked];
    const schema = picked === undefined ? fileSchema : projectSchema(fileSchema, columns, { file });
    // Column chunks are fetched (asynchronously) before the fast path reads them (synchronously).
    const fetched = new Map<number, Uint8Array>();
    const fast = FastParquet.open(
      (target, position) => {
        if (position === size - 8 - length && target.length <= footer.length) {
          target.set(footer.subarray(0, target.length));
          return target.length;
        }
        if (position === size - 8 && target.length === 8) {
          target.set(tail);
          return 8;
        }
        const chunk = fetched.get(position);
        if (chunk === undefined || chunk.length < target.length) return 0;
        target.set(chunk.subarray(0, target.length));
        return target.length;
      },
      size,
      fileSchema.fields,
    );
    if (fast === undefined)
      throw new ArrowReadError('CORRUPT', 'the Parquet footer cannot be read', {
        file,
        hint: 'The file is damaged: write it again.',
      });
    // Row groups outside the range read as empty ones: the others keep their numbers.
    const { first = 0, end = rowGroups.length } = options.rowGroups ?? {};
    const ranged = rowGroups.map((rows, g) => (g >= first && g < end ? rows : 0));
    return new WebParquetSource(fast, metadata, schema, columns, ranged, fetched, fetch, {
      file,
      limit: options.limit,
      batchRows: options.batchRows ?? 65_536,
      signal: options.signal,
      counted: () => counted,
      close: () => bytes.close(),
    });
  } catch (e) {
    await bytes.close().catch(() => undefined);
    throw e;
  }
}

interface SourceOptions {
  file: string;
  limit: number | undefined;
  batchRows: number;
  signal: AbortSignal | undefined;
  counted(): number;
  close(): Promise<void>;
}

/** Row groups in order, each decoded by the fast path once its column chunks are fetched. */
class WebParquetSource implements FormatReader {
  private nextGroup = 0;
  private rowsOut = 0;
  private pending: RecordBatch[] = [];
  private done = false;

  constructor(
    private readonly fast: FastParquet,
    private readonly metadata: FileMetaData,
    readonly schema: Schema,
    private readonly columns: readonly string[],
    private readonly rowGroups: readonly number[],
    private readonly fetched: Map<number, Uint8Array>,
    private readonly fetch: (position: number, length: number) => Promise<Uint8Array>,
    private readonly options: SourceOptions,
  ) {}

  bytesRead(): number {
    return this.options.counted();
  }

  async next(): Promise<RecordBatch | undefined> {
    for (;;) {
      const batch = this.pending.shift();
      if (batch !== undefined) return batch;
      if (this.done) return undefined;
      const { limit, file } = this.options;
      if (this.nextGroup >= this.rowGroups.length || (limit !== undefined && this.rowsOut >= limit)) {
        await this.close();
        return undefined;
      }
      if (this.options.signal?.aborted) {
        await this.close();
        throw new ArrowReadError('ABORTED', 'reading was aborted', { file });
      }
      const rowGroup = this.nextGroup++;
      const rows = this.rowGroups[rowGroup]!;
      if (rows === 0) continue;
      const left = limit === undefined ? rows : Math.min(rows, limit - this.rowsOut);
      this.rowsOut += left;
      try {
        for (const name of this.columns) {
          const path = this.fast.path(rowGroup, name);
          if (!path.fast) throw unsupported(file, rowGroup, name, path.reason);
        }
        await this.fetchChunks(rowGroup);
        const ipc = await this.fast.read(
          rowGroup,
          this.columns,
          Math.max(1, Math.min(this.options.batchRows, rows)),
          left < rows ? left : undefined,
          async () => {
            throw new FastPathFallback('the general decoder');
          },
        );
        // The stream is a view of a buffer the next read reuses: its batches must own their bytes.
        for (const b of tableFromIPC(ipc.slice()).batches) {
          if (b.numRows > 0) this.pending.push(withSchema(b, this.schema));
        }
      } catch (e) {
        await this.close();
        if (e instanceof ArrowReadError) throw e.withContext({ file, rowGroup });
        if (e instanceof FastPathFallback) throw unsupported(file, rowGroup, undefined, e.reason);
        if (e instanceof PageCorruption)
          throw new ArrowReadError('CORRUPT', e.message, {
            file,
            rowGroup,
            cause: e,
            hint: 'The file is damaged: write it again.',
          });
        throw new ArrowReadError('CORRUPT', `row group ${rowGroup} cannot be decoded: ${messageOf(e)}`, {
          file,
          rowGroup,
          cause: e,
        });
      } finally {
        this.fetched.clear();
      }
    }
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.pending = [];
    this.fetched.clear();
    await this.options.close().catch(() => undefined);
  }

  /** Fetches the column chunks of `rowGroup` that the projected columns read, each with one read. */
  private async fetchChunks(rowGroup: number): Promise<void> {
    const group = this.metadata.row_groups[rowGroup]!;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || !this.columns.includes(meta.path_in_schema[0] ?? '')) continue;
      const dictionary = meta.dictionary_page_offset;
      const start = Number(
        dictionary !== undefined && dictionary > 0n && dictionary < meta.data_page_offset
          ? dictionary
          : meta.data_page_offset,
      );
      const length = Number(meta.total_compressed_size);
      // A chunk past the end is the fast path's to report (as a damaged page).
      if (start < 0 || length < 0) continue;
      this.fetched.set(start, await this.fetch(start, length));
    }
  }
}

/**
 * The file's Arrow schema as Node's reader (parquet-wasm) gives it: the `ARROW:schema` the writer
 * stored when there is one, else derived from the Parquet schema for the types the fast path reads
 * (FLOAT, DOUBLE, INT32, INT64, and lists of them); any other column is typed Null, which the
 * fast path does not read, so reading it fails with `UNSUPPORTED`.
 */
function arrowSchema(metadata: FileMetaData): Schema {
  const stored = metadata.key_value_metadata?.find((kv) => kv.key === 'ARROW:schema')?.value;
  if (stored !== undefined) {
    try {
      const reader = RecordBatchReader.from(base64Bytes(stored));
      reader.open();
      return reader.schema;
    } catch {
      // Derived from the Parquet schema below.
    }
  }
  return new Schema(parquetSchema(metadata).children.map((node) => fieldOf(node)));
}

function fieldOf(node: SchemaTree): Field {
  const e = node.element;
  const nullable = e.repetition_type !== 'REQUIRED';
  if (node.children.length === 0) return new Field(e.name, leafType(node) ?? new Null(), nullable);
  // The three-level LIST layout: <list> group (LIST) › repeated group › element.
  const repeated = node.children[0];
  const item = repeated?.children.length === 1 ? repeated.children[0] : repeated;
  if (e.converted_type === 'LIST' && item !== undefined && item.children.length === 0) {
    const inner = leafType(item) ?? new Null();
    return new Field(
      e.name,
      new List(new Field(item.element.name, inner, item.element.repetition_type !== 'REQUIRED')),
      nullable,
    );
  }
  return new Field(e.name, new Null(), nullable);
}

function leafType(node: SchemaTree): Float32 | Float64 | Int32 | Int64 | Utf8 | Binary | Bool | undefined {
  const e = node.element;
  const logical = e.logical_type as { type?: string; bitWidth?: number; isSigned?: boolean } | undefined;
  const converted = e.converted_type as string | undefined;
  // A plain integer, or one annotated as the signed integer of its own width (INT_32, INT_64).
  const plainInt = (bits: number) =>
    logical === undefined
      ? converted === undefined || converted === `INT_${bits}`
      : logical.type === 'INTEGER' && logical.bitWidth === bits && logical.isSigned === true;
  if (e.type === 'FLOAT') return new Float32();
  if (e.type === 'DOUBLE') return new Float64();
  if (e.type === 'INT32' && plainInt(32)) return new Int32();
  if (e.type === 'INT64' && plainInt(64)) return new Int64();
  // Types the fast path does not read still get their own name, as Node's reader gives them, so
  // a schema lists `Utf8`, and a string `--by` column is refused as strings (not as a Null column).
  if (e.type === 'BYTE_ARRAY')
    return logical?.type === 'STRING' || converted === 'UTF8' ? new Utf8() : new Binary();
  if (e.type === 'BOOLEAN') return new Bool();
  return undefined;
}

function unsupported(
  file: string,
  rowGroup: number,
  column: string | undefined,
  reason: string,
): ArrowReadError {
  return new ArrowReadError(
    'UNSUPPORTED',
    `${column === undefined ? 'a column chunk' : `column '${column}'`} of row group ${rowGroup} needs the general Parquet decoder (${reason}), which runs only in Node`,
    {
      file,
      rowGroup,
      ...(column === undefined ? {} : { column }),
      hint: "Read this file with '@lossflow/arrow/node' (the lossflow CLI), or write it with SNAPPY, ZSTD or no compression, PLAIN or dictionary encoding and no nulls in the columns read.",
    },
  );
}

function tooShort(file: string, size: number): ArrowReadError {
  return new ArrowReadError('TRUNCATED', `a Parquet file needs at least 12 bytes, this one has ${size}`, {
    file,
    hint: 'The file was cut short: copy it again.',
  });
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
