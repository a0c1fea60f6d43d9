import {
  type DataType,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Table,
  Type,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { parquetSchema } from 'hyparquet/src/metadata.js';
import type { FileMetaData, SchemaElement, SchemaTree } from 'hyparquet/src/types.js';
import type { ParquetMeta } from '../parquetFile.js';
import type { ReadAt } from '../ReadAt.js';
import { readFooter } from './readFooter.js';

/** Codecs parquet-wasm decodes (it traps on the others: LZO): a file with another goes to it, to be refused as always. */
const DECODABLE = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW']);

/**
 * A Parquet file's footer as `ParquetMeta` (row counts, Arrow schema, no unsupported codec),
 * read with hyparquet's metadata parser, for the files whose Arrow schema is plain to derive:
 * top-level INT32, INT64, FLOAT and DOUBLE columns (no logical type but a signed integer of
 * their width) and standard 3-level LISTs of them, no field ids, and no key-value metadata but
 * an `ARROW:schema` that agrees with them (it may only turn a list into a FixedSizeList). That is
 * the Arrow schema parquet-wasm (arrow-rs) derives from such a footer; for every other file
 * (and any footer that does not add up) `undefined`, and parquet-wasm reads the footer as before.
 * A pool's first worker then skips compiling parquet-wasm (~20 MB of wasm, 0.15 s of CPU, and
 * more in its heap) for the footer alone.
 *
 * `parsed`: the footer as {@link readFooter} parsed it already.
 *
 * @example
 * const meta = footerMeta(readAtFd(fd), size) ?? (await openParquetFile(readAtFd(fd), size)).meta;
 */
export function footerMeta(
  readAt: ReadAt,
  size: number,
  parsed: FileMetaData | undefined = readFooter(readAt, size),
): ParquetMeta | undefined {
  if (parsed === undefined) return undefined;
  const metadata = parsed;
  const rowGroups: number[] = [];
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec === undefined || !DECODABLE.has(codec) || chunk.file_path !== undefined) return undefined;
    }
    rowGroups.push(Number(group.num_rows));
  }
  // Row counts that do not add up: parquet-wasm reports them, as it always has.
  if (rowGroups.reduce((a, b) => a + b, 0) !== Number(metadata.num_rows)) return undefined;
  let fields: Field[];
  try {
    const root = parquetSchema(metadata);
    const derived = root.children.map(topField);
    if (derived.some((f) => f === undefined)) return undefined;
    fields = derived as Field[];
  } catch {
    return undefined;
  }
  const pairs = metadata.key_value_metadata ?? [];
  if (pairs.some((p) => p.key !== 'ARROW:schema')) return undefined;
  const stored = pairs.find((p) => p.key === 'ARROW:schema')?.value;
  if (stored !== undefined) {
    const hinted = storedFields(stored, fields);
    if (hinted === undefined) return undefined;
    fields = hinted;
  }
  const schema = tableToIPC(new Table(new Schema(fields)), 'stream');
  return { rowGroups, schema, unsupported: [] };
}

/** The Arrow field of a top-level column, or `undefined` when it is not one of the plain ones. */
function topField(node: SchemaTree): Field | undefined {
  const e = node.element;
  if (e.field_id !== undefined) return undefined;
  const nullable = e.repetition_type === 'OPTIONAL';
  if (e.repetition_type !== 'OPTIONAL' && e.repetition_type !== 'REQUIRED') return undefined;
  if (node.children.length === 0) {
    const type = primitive(e);
    return type === undefined ? undefined : new Field(e.name, type, nullable);
  }
  // The standard 3-level list: <list> (LIST) > repeated group `list` > one primitive element.
  const isList = e.converted_type === 'LIST' || e.logical_type?.type === 'LIST';
  if (!isList || e.type !== undefined || node.children.length !== 1) return undefined;
  const repeated = node.children[0]!;
  const r = repeated.element;
  if (
    r.repetition_type !== 'REPEATED' ||
    r.name !== 'list' ||
    r.type !== undefined ||
    r.field_id !== undefined ||
    r.converted_type !== undefined ||
    r.logical_type !== undefined ||
    repeated.children.length !== 1
  )
    return undefined;
  const leaf = repeated.children[0]!;
  const l = leaf.element;
  if (leaf.children.length !== 0 || l.field_id !== undefined) return undefined;
  if (l.repetition_type !== 'OPTIONAL' && l.repetition_type !== 'REQUIRED') return undefined;
  const type = primitive(l);
  if (type === undefined) return undefined;
  return new Field(e.name, new List(new Field(l.name, type, l.repetition_type === 'OPTIONAL')), nullable);
}

/** The Arrow type of a plain numeric leaf, or `undefined`. */
function primitive(e: SchemaElement): DataType | undefined {
  const logical = e.logical_type;
  const converted = e.converted_type;
  const integer = (bits: number): boolean =>
    (converted === undefined || converted === (bits === 32 ? 'INT_32' : 'INT_64')) &&
    (logical === undefined || (logical.type === 'INTEGER' && logical.bitWidth === bits && logical.isSigned));
  switch (e.type) {
    case 'INT32':
      return integer(32) ? new Int32() : undefined;
    case 'INT64':
      return integer(64) ? new Int64() : undefined;
    case 'FLOAT':
      return converted === undefined && logical === undefined ? new Float32() : undefined;
    case 'DOUBLE':
      return converted === undefined && logical === undefined ? new Float64() : undefined;
    default:
      return undefined;
  }
}

/**
 * The fields of an `ARROW:schema` (base64 of an IPC schema message, as arrow-rs and pyarrow store
 * it) when they agree with the fields derived from the Parquet schema — the same names, types and
 * nullability, a list possibly a FixedSizeList of the same values, no metadata — else `undefined`.
 */
function storedFields(base64: string, derived: readonly Field[]): Field[] | undefined {
  let schema: Schema;
  try {
    const message = base64Bytes(base64);
    // An IPC stream of that one message: an end-of-stream marker after it.
    const stream = new Uint8Array(message.length + 8);
    stream.set(message);
    stream.set([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0], message.length);
    schema = tableFromIPC(stream).schema;
  } catch {
    return undefined;
  }
  if (schema.metadata.size > 0 || schema.fields.length !== derived.length) return undefined;
  const out: Field[] = [];
  for (const [i, field] of schema.fields.entries()) {
    const mine = derived[i]!;
    if (field.name !== mine.name || field.nullable !== mine.nullable || field.metadata.size > 0)
      return undefined;
    if (sameType(field.type, mine.type)) {
      out.push(mine);
      continue;
    }
    // A FixedSizeList stored as a Parquet list.
    const theirs = field.type as DataType & { listSize?: number };
    if (theirs.typeId !== Type.FixedSizeList || mine.type.typeId !== Type.List) return undefined;
    const child = theirs.children[0]!;
    const ours = mine.type.children[0]!;
    if (
      child.name !== ours.name ||
      child.nullable !== ours.nullable ||
      child.metadata.size > 0 ||
      !sameType(child.type, ours.type)
    )
      return undefined;
    out.push(new Field(mine.name, new FixedSizeList(theirs.listSize!, ours), mine.nullable));
  }
  return out;
}

/** Whether two of the types derived here are the same (lists compared by their one child). */
function sameType(a: DataType, b: DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  if (a.typeId === Type.List) {
    const x = a.children[0]!;
    const y = b.children[0]!;
    return (
      x.name === y.name && x.nullable === y.nullable && x.metadata.size === 0 && sameType(x.type, y.type)
    );
  }
  return String(a) === String(b);
}

function base64Bytes(text: string): Uint8Array {
  const binary = (globalThis as unknown as { atob(s: string): string }).atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
