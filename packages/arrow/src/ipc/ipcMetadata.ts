/**
 * The one decoder of Arrow IPC metadata (a message's flatbuffer, a file's footer): it checks the
 * bounds of every table, vector and string it reads and decodes them in the same pass into plain
 * objects. Each table's fields are read by name through a slot table per type (see `Slots`),
 * as `Message.fbs`, `Schema.fbs` and `File.fbs` number them.
 *
 * The checks exist because apache-arrow trusts every length it reads: one flipped byte in a vector
 * length makes it build an array of billions of objects, which ends the process with an
 * out-of-memory error instead of a typed one. The in-thread readers decode each message here
 * before apache-arrow does; the worker pool reads batches from what this returns alone.
 * Universal: no Node API.
 */
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { HeaderType, TypeId } from './arrowTypeIds.js';
import { DAMAGED_IPC_FILE_HINT, DAMAGED_IPC_HINT } from './ipcErrors.js';
import type { IpcBlock } from './ipcFraming.js';

/** Field slots of each flatbuffers table read here, by name. */
const Slots = {
  Message: { version: 0, headerType: 1, header: 2, bodyLength: 3, customMetadata: 4 },
  Schema: { endianness: 0, fields: 1, customMetadata: 2, features: 3 },
  Field: { name: 0, nullable: 1, typeType: 2, type: 3, dictionary: 4, children: 5, customMetadata: 6 },
  Union: { mode: 0, typeIds: 1 },
  Int: { bitWidth: 0, isSigned: 1 },
  FloatingPoint: { precision: 0 },
  Decimal: { precision: 0, scale: 1, bitWidth: 2 },
  Date: { unit: 0 },
  Time: { unit: 0, bitWidth: 1 },
  Timestamp: { unit: 0, timezone: 1 },
  Interval: { unit: 0 },
  Duration: { unit: 0 },
  FixedSizeBinary: { byteWidth: 0 },
  FixedSizeList: { listSize: 0 },
  DictionaryEncoding: { id: 0, indexType: 1, isOrdered: 2, dictionaryKind: 3 },
  KeyValue: { key: 0, value: 1 },
  RecordBatch: { length: 0, nodes: 1, buffers: 2, compression: 3, variadicBufferCounts: 4 },
  DictionaryBatch: { id: 0, data: 1, isDelta: 2 },
  Footer: { version: 0, schema: 1, dictionaries: 2, recordBatches: 3, customMetadata: 4 },
} as const;

/** Struct sizes: `FieldNode` (length, null count), `Buffer` (offset, length), `Block`. */
const FIELD_NODE_BYTES = 16;
const BUFFER_BYTES = 16;
const BLOCK_BYTES = 24;
const MAX_DEPTH = 64;

/**
 * A field of an Arrow schema as the IPC metadata describes it: just enough to know which field
 * nodes and buffers of a record batch belong to it.
 */
export interface IpcField {
  readonly name: string;
  /** The flatbuffers `Type` union tag (see `TypeId`). */
  readonly type: number;
  /** Dictionary-encoded: a batch holds its indices (validity and one buffer) and none of its children. */
  readonly dictionary: boolean;
  /** Union mode (0 sparse, 1 dense); 0 for other types. */
  readonly unionMode: number;
  readonly children: readonly IpcField[];
}

/** A record batch message's header: the rows, and where each field node's buffers lie in the body. */
export interface RecordBatchHeader {
  readonly rows: number;
  /** `length, nullCount` of each field node, in the schema's depth-first order. */
  readonly nodes: Float64Array;
  /** `offset, length` in the body of each buffer, in the schema's depth-first order. */
  readonly buffers: Float64Array;
  /** Variadic buffer counts of the view-typed fields, in depth-first order. */
  readonly variadicCounts: readonly number[];
  /** Whether the body is compressed (LZ4 or ZSTD frames), which the lean readers do not decode. */
  readonly compressed: boolean;
}

/** A dictionary batch message's header. */
export interface DictionaryBatchHeader {
  readonly id: number;
  readonly isDelta: boolean;
  readonly data: RecordBatchHeader | undefined;
}

/** An IPC message's metadata, checked and decoded. */
export interface IpcMessage {
  /** `MetadataVersion` (4 is V5). */
  readonly version: number;
  /**
   * The `MessageHeader` union's type, as written: 1 schema, 2 dictionary batch, 3 record batch;
   * 0 (none), 4 (tensor), 5 (sparse tensor) and unknown values are returned too, for the caller to
   * refuse where they cannot be (see `headerTypeName`).
   */
  readonly headerType: number;
  readonly bodyLength: number;
  /** A schema message's fields. */
  readonly fields: readonly IpcField[] | undefined;
  /** A record batch message's header. */
  readonly batch: RecordBatchHeader | undefined;
  /** A dictionary batch message's header. */
  readonly dictionaryBatch: DictionaryBatchHeader | undefined;
}

/** An IPC file's footer, checked and decoded. */
export interface IpcFooter {
  readonly version: number;
  readonly fields: readonly IpcField[];
  readonly dictionaries: IpcBlock[];
  readonly recordBatches: IpcBlock[];
}

/** Thrown by the decoder; the message says what is out of bounds or inconsistent. */
export class FlatbufferError extends Error {}

/**
 * Checks and decodes an IPC message's metadata flatbuffer (the bytes after the length prefix).
 *
 * @throws {FlatbufferError} when malformed.
 * @example
 * const { headerType, bodyLength, batch } = decodeMessage(metadata);
 */
export function decodeMessage(bytes: Uint8Array): IpcMessage {
  const M = Slots.Message;
  const fb = new CheckedFlatbuffer(bytes);
  const message = fb.root();
  const headerType = fb.uint8(message, M.headerType);
  const header = fb.table(message, M.header);
  fb.keyValues(message, M.customMetadata);
  const bodyLength = fb.int64(message, M.bodyLength);
  if (!(bodyLength >= 0) || bodyLength > Number.MAX_SAFE_INTEGER) {
    throw new FlatbufferError(`a message body length of ${bodyLength}`);
  }
  let fields: IpcField[] | undefined;
  let batch: RecordBatchHeader | undefined;
  let dictionaryBatch: DictionaryBatchHeader | undefined;
  if (header === undefined) {
    if (headerType !== HeaderType.NONE) throw new FlatbufferError('a message without its header');
  } else if (headerType === HeaderType.SCHEMA) fields = fb.schema(header, 0);
  else if (headerType === HeaderType.DICTIONARY_BATCH) {
    const D = Slots.DictionaryBatch;
    const data = fb.table(header, D.data);
    dictionaryBatch = {
      id: fb.int64(header, D.id),
      isDelta: fb.uint8(header, D.isDelta) !== 0,
      data: data === undefined ? undefined : fb.recordBatch(data),
    };
  } else if (headerType === HeaderType.RECORD_BATCH) batch = fb.recordBatch(header);
  return { version: fb.int16(message, M.version), headerType, bodyLength, fields, batch, dictionaryBatch };
}

/**
 * Checks and decodes an IPC file's footer flatbuffer (before its length and closing magic).
 *
 * @throws {FlatbufferError} when malformed.
 * @example
 * const { fields, recordBatches } = decodeFooter(footerBytes);
 */
export function decodeFooter(bytes: Uint8Array): IpcFooter {
  const F = Slots.Footer;
  const fb = new CheckedFlatbuffer(bytes);
  const footer = fb.root();
  const schema = fb.table(footer, F.schema);
  if (schema === undefined) throw new FlatbufferError('a footer without a schema');
  const fields = fb.schema(schema, 0);
  fb.keyValues(footer, F.customMetadata);
  return {
    version: fb.int16(footer, F.version),
    fields,
    dictionaries: fb.blocks(footer, F.dictionaries),
    recordBatches: fb.blocks(footer, F.recordBatches),
  };
}

/**
 * {@link decodeMessage} with malformed metadata as a `CORRUPT` {@link ArrowReadError} naming
 * `file` (`what` names the message in it). With `checkLengths`, a record batch's field nodes and
 * buffers are checked against each other and the body too, as readers that use them directly
 * (not through apache-arrow) need: a damaged header is an error, whatever columns are read.
 *
 * @example
 * const message = messageMetadata(metadata, 'log.arrows', { checkLengths: true });
 */
export function messageMetadata(
  metadata: Uint8Array,
  file: string,
  options: { what?: string; checkLengths?: boolean } = {},
): IpcMessage {
  try {
    const message = decodeMessage(metadata);
    if (options.checkLengths === true && message.batch !== undefined)
      checkRecordBatch(message.batch, message.bodyLength);
    return message;
  } catch (e) {
    throw malformed(e, file, `${options.what ?? "a message's"} metadata`, DAMAGED_IPC_HINT);
  }
}

/**
 * {@link decodeFooter} with a malformed footer as a `CORRUPT` {@link ArrowReadError} naming `file`.
 *
 * @example
 * const { fields, recordBatches } = footerMetadata(footerBytes, 'log.arrow');
 */
export function footerMetadata(footer: Uint8Array, file: string): IpcFooter {
  try {
    return decodeFooter(footer);
  } catch (e) {
    throw malformed(e, file, 'the footer', DAMAGED_IPC_FILE_HINT);
  }
}

/**
 * Every count of a record batch, the columns a reader skips included (apache-arrow's reader fails
 * on such lengths when it decodes).
 */
function checkRecordBatch(batch: RecordBatchHeader, bodyLength: number): void {
  const count = (v: number) => Number.isSafeInteger(v) && v >= 0;
  if (!count(batch.rows) || !count(bodyLength)) throw new RangeError('a negative or oversized length');
  const { nodes, buffers } = batch;
  for (let i = 0; i < nodes.length; i += 2) {
    // A null count of −1 means unknown: apache-arrow's writer records it for a sliced Null column.
    const nulls = nodes[i + 1]!;
    if (!count(nodes[i]!) || !(nulls === -1 || (count(nulls) && nulls <= nodes[i]!)))
      throw new RangeError(`field node ${i / 2} has length ${nodes[i]} and null count ${nodes[i + 1]}`);
  }
  for (let i = 0; i < buffers.length; i += 2) {
    if (!count(buffers[i]!) || !count(buffers[i + 1]!) || buffers[i]! + buffers[i + 1]! > bodyLength)
      throw new RangeError(
        `buffer ${i / 2} (offset ${buffers[i]}, length ${buffers[i + 1]}) lies outside the body`,
      );
  }
}

function malformed(e: unknown, file: string, what: string, hint: string): ArrowReadError {
  if (e instanceof ArrowReadError) return e;
  const detail = e instanceof FlatbufferError || e instanceof RangeError ? e.message : String(e);
  return new ArrowReadError('CORRUPT', `${what} is malformed (${detail})`, { file, cause: e, hint });
}

const utf8 = new TextDecoder();

/** A `Type` union tag as named in error messages. */
function typeName(type: number): string {
  const name = Object.entries(TypeId).find(([, id]) => id === type)?.[0];
  return name === undefined ? String(type) : name;
}

/** A flatbuffer whose every read is bounds-checked; tables are checked as they are entered. */
class CheckedFlatbuffer {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  /** Tables visited, bounded so a cyclic or absurd structure cannot take long. */
  private budget = 1_000_000;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  root(): number {
    this.need(0, 4);
    return this.checkTable(this.view.getUint32(0, true));
  }

  schema(schema: number, depth: number): IpcField[] {
    const S = Slots.Schema;
    const fields = this.fields(schema, S.fields, depth);
    this.keyValues(schema, S.customMetadata);
    this.vector(schema, S.features, 8);
    return fields;
  }

  recordBatch(batch: number): RecordBatchHeader {
    const R = Slots.RecordBatch;
    const nodes = this.vector(batch, R.nodes, FIELD_NODE_BYTES);
    const buffers = this.vector(batch, R.buffers, BUFFER_BYTES);
    const rows = this.int64(batch, R.length);
    // Every top-level column is as long as the batch, and the first node is a top-level column;
    // apache-arrow would otherwise pad each column with a validity bitmap of the claimed length.
    if (nodes !== undefined && nodes.count > 0) {
      const first = Number(this.view.getBigInt64(nodes.start, true));
      if (rows !== first)
        throw new FlatbufferError(`a batch of ${rows} rows whose first column has ${first}`);
    }
    const compressed = this.table(batch, R.compression) !== undefined;
    const variadic = this.vector(batch, R.variadicBufferCounts, 8);
    const variadicCounts: number[] = [];
    if (variadic !== undefined) {
      for (let i = 0; i < variadic.count; i++)
        variadicCounts.push(Number(this.view.getBigInt64(variadic.start + 8 * i, true)));
    }
    return { rows, nodes: this.pairs(nodes), buffers: this.pairs(buffers), variadicCounts, compressed };
  }

  blocks(table: number, slot: number): IpcBlock[] {
    const v = this.vector(table, slot, BLOCK_BYTES);
    if (v === undefined) return [];
    const out: IpcBlock[] = [];
    for (let i = 0; i < v.count; i++) {
      const at = v.start + i * BLOCK_BYTES;
      out.push({
        offset: Number(this.view.getBigInt64(at, true)),
        metaDataLength: this.view.getInt32(at + 8, true),
        bodyLength: Number(this.view.getBigInt64(at + 16, true)),
      });
    }
    return out;
  }

  keyValues(table: number, slot: number): void {
    const K = Slots.KeyValue;
    for (const kv of this.tables(table, slot)) {
      this.vector(kv, K.key, 1);
      this.vector(kv, K.value, 1);
    }
  }

  table(table: number, slot: number): number | undefined {
    const at = this.field(table, slot);
    if (at === undefined) return undefined;
    this.need(at, 4);
    return this.checkTable(at + this.view.getUint32(at, true));
  }

  uint8(table: number, slot: number): number {
    const at = this.field(table, slot);
    if (at === undefined) return 0;
    this.need(at, 1);
    return this.view.getUint8(at);
  }

  int16(table: number, slot: number, fallback = 0): number {
    const at = this.field(table, slot);
    if (at === undefined) return fallback;
    this.need(at, 2);
    return this.view.getInt16(at, true);
  }

  int32(table: number, slot: number, fallback = 0): number {
    const at = this.field(table, slot);
    if (at === undefined) return fallback;
    this.need(at, 4);
    return this.view.getInt32(at, true);
  }

  int64(table: number, slot: number): number {
    const at = this.field(table, slot);
    if (at === undefined) return 0;
    this.need(at, 8);
    return Number(this.view.getBigInt64(at, true));
  }

  /** A vector of 16-byte structs of two int64s (field nodes, buffers) as a flat array of numbers. */
  private pairs(v: { start: number; count: number } | undefined): Float64Array {
    const out = new Float64Array(v === undefined ? 0 : 2 * v.count);
    if (v === undefined) return out;
    for (let i = 0; i < out.length; i++) out[i] = Number(this.view.getBigInt64(v.start + 8 * i, true));
    return out;
  }

  private fields(table: number, slot: number, depth: number): IpcField[] {
    if (depth > MAX_DEPTH) throw new FlatbufferError('schema fields nested too deep');
    const F = Slots.Field;
    const out: IpcField[] = [];
    for (const f of this.tables(table, slot)) {
      const name = this.vector(f, F.name, 1);
      const type = this.uint8(f, F.typeType);
      const typeTable = this.table(f, F.type);
      let unionMode = 0;
      // Union types carry a vector of type ids; other type tables hold scalars and strings only.
      if (typeTable !== undefined && type === TypeId.UNION) {
        this.vector(typeTable, Slots.Union.typeIds, 4);
        unionMode = this.int16(typeTable, Slots.Union.mode);
      }
      this.checkTypeParameters(type, typeTable);
      const dictionary = this.table(f, F.dictionary);
      if (dictionary !== undefined) this.table(dictionary, Slots.DictionaryEncoding.indexType);
      const children = this.fields(f, F.children, depth + 1);
      this.keyValues(f, F.customMetadata);
      out.push({
        name: name === undefined ? '' : utf8.decode(this.bytes.subarray(name.start, name.start + name.count)),
        type,
        dictionary: dictionary !== undefined,
        unionMode,
        children,
      });
    }
    return out;
  }

  /**
   * Refuses a type whose enum or width is outside what `Schema.fbs` allows (an `Int` of 191 bits,
   * a `FloatingPoint` precision of 8160): apache-arrow would build a type no reader knows, which
   * fails later, differently in each path, or not at all where the column is not read.
   */
  private checkTypeParameters(type: number, table: number | undefined): void {
    // An absent type table holds every parameter's default.
    const int16 = (slot: number, fallback = 0) =>
      table === undefined ? fallback : this.int16(table, slot, fallback);
    const int32 = (slot: number, fallback = 0) =>
      table === undefined ? fallback : this.int32(table, slot, fallback);
    const check = (ok: boolean, what: string, value: number) => {
      if (!ok) throw new FlatbufferError(`a field of type ${typeName(type)} with ${what} ${value}`);
    };
    const oneOf = (value: number, allowed: readonly number[]) => allowed.includes(value);
    switch (type) {
      case TypeId.INT: {
        const bits = int32(Slots.Int.bitWidth);
        check(oneOf(bits, [8, 16, 32, 64]), 'bit width', bits);
        break;
      }
      case TypeId.FLOAT: {
        const precision = int16(Slots.FloatingPoint.precision);
        check(oneOf(precision, [0, 1, 2]), 'precision', precision);
        break;
      }
      case TypeId.DECIMAL: {
        const bits = int32(Slots.Decimal.bitWidth, 128);
        check(oneOf(bits, [32, 64, 128, 256]), 'bit width', bits);
        break;
      }
      case TypeId.DATE: {
        const unit = int16(Slots.Date.unit, 1);
        check(oneOf(unit, [0, 1]), 'unit', unit);
        break;
      }
      case TypeId.TIME: {
        const unit = int16(Slots.Time.unit, 1);
        check(oneOf(unit, [0, 1, 2, 3]), 'unit', unit);
        const bits = int32(Slots.Time.bitWidth, 32);
        check(oneOf(bits, [32, 64]), 'bit width', bits);
        break;
      }
      case TypeId.TIMESTAMP: {
        const unit = int16(Slots.Timestamp.unit);
        check(oneOf(unit, [0, 1, 2, 3]), 'unit', unit);
        break;
      }
      case TypeId.INTERVAL: {
        const unit = int16(Slots.Interval.unit);
        check(oneOf(unit, [0, 1, 2]), 'unit', unit);
        break;
      }
      case TypeId.DURATION: {
        const unit = int16(Slots.Duration.unit, 1);
        check(oneOf(unit, [0, 1, 2, 3]), 'unit', unit);
        break;
      }
      case TypeId.UNION: {
        const mode = int16(Slots.Union.mode);
        check(oneOf(mode, [0, 1]), 'mode', mode);
        break;
      }
      case TypeId.FIXED_SIZE_BINARY: {
        const width = int32(Slots.FixedSizeBinary.byteWidth);
        check(width >= 0, 'byte width', width);
        break;
      }
      case TypeId.FIXED_SIZE_LIST: {
        const size = int32(Slots.FixedSizeList.listSize);
        check(size >= 0, 'list size', size);
        break;
      }
    }
  }

  private tables(table: number, slot: number): number[] {
    const v = this.vector(table, slot, 4);
    if (v === undefined) return [];
    const out: number[] = [];
    for (let i = 0; i < v.count; i++) {
      const at = v.start + i * 4;
      out.push(this.checkTable(at + this.view.getUint32(at, true)));
    }
    return out;
  }

  private vector(
    table: number,
    slot: number,
    elementSize: number,
  ): { start: number; count: number } | undefined {
    const at = this.field(table, slot);
    if (at === undefined) return undefined;
    this.need(at, 4);
    const v = at + this.view.getUint32(at, true);
    this.need(v, 4);
    const count = this.view.getUint32(v, true);
    this.need(v + 4, count * elementSize);
    return { start: v + 4, count };
  }

  /** Position of a table's field, or `undefined` when the field is absent (its default). */
  private field(table: number, slot: number): number | undefined {
    const vtable = table - this.view.getInt32(table, true);
    const vtableSize = this.view.getUint16(vtable, true);
    const entry = 4 + 2 * slot;
    if (entry + 2 > vtableSize) return undefined;
    const offset = this.view.getUint16(vtable + entry, true);
    return offset === 0 ? undefined : table + offset;
  }

  private checkTable(table: number): number {
    if (--this.budget < 0) throw new FlatbufferError('too many tables');
    this.need(table, 4);
    const vtable = table - this.view.getInt32(table, true);
    this.need(vtable, 4);
    const vtableSize = this.view.getUint16(vtable, true);
    const tableSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw new FlatbufferError('a malformed vtable');
    this.need(vtable, vtableSize);
    this.need(table, tableSize);
    for (let entry = 4; entry < vtableSize; entry += 2) {
      const offset = this.view.getUint16(vtable + entry, true);
      if (offset !== 0 && offset >= Math.max(tableSize, 4))
        throw new FlatbufferError('a field outside its table');
    }
    return table;
  }

  private need(at: number, size: number): void {
    if (!(at >= 0 && size >= 0 && at + size <= this.length)) {
      throw new FlatbufferError(`bytes ${at}..${at + size} outside the ${this.length}-byte metadata`);
    }
  }

  private get length(): number {
    return this.bytes.byteLength;
  }
}
