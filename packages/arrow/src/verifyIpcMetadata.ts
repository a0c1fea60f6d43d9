/**
 * Bounds checks for the flatbuffers of Arrow IPC metadata (a message header, a file footer),
 * done before apache-arrow decodes them. apache-arrow trusts every length it reads: one flipped
 * byte in a vector length makes it build an array of billions of objects, which ends the process
 * with an out-of-memory error instead of a typed one. This walks the tables apache-arrow decodes
 * eagerly (schema fields, key-value metadata, field nodes, buffers, footer blocks) and checks
 * that every table, vector and string lies inside the bytes.
 */

/** A footer block: where one message of an IPC file is. */
export interface IpcBlock {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

/** What the checked message header says about itself. */
export interface MessageInfo {
  /**
   * The flatbuffers `MessageHeader` union's type, as written: 1 schema, 2 dictionary batch,
   * 3 record batch; 0 (none), 4 (tensor), 5 (sparse tensor) and unknown values are returned too,
   * for the caller to refuse where they cannot be (see {@link headerTypeName}).
   */
  headerType: number;
  bodyLength: number;
}

/** `MessageHeader` union types that an Arrow IPC stream or file holds. */
export const HEADER_SCHEMA = 1;
export const HEADER_DICTIONARY_BATCH = 2;
export const HEADER_RECORD_BATCH = 3;

/**
 * A message header type as named in error messages: its `MessageHeader` name and number.
 *
 * @example
 * headerTypeName(3); // 'RecordBatch (3)'
 * headerTypeName(9); // '9 (unknown)'
 */
export function headerTypeName(headerType: number): string {
  const name = ['NONE', 'Schema', 'DictionaryBatch', 'RecordBatch', 'Tensor', 'SparseTensor'][headerType];
  return name === undefined ? `${headerType} (unknown)` : `${name} (${headerType})`;
}

/** What the checked footer lists. */
export interface FooterInfo {
  dictionaries: IpcBlock[];
  recordBatches: IpcBlock[];
}

const MAX_DEPTH = 64;

/** Thrown by the checks; the message says what is out of bounds. */
export class FlatbufferError extends Error {}

/**
 * Checks an IPC message's metadata flatbuffer (the bytes after the length prefix).
 *
 * @example
 * const { bodyLength } = verifyMessage(metadata); // throws FlatbufferError when malformed
 */
export function verifyMessage(bytes: Uint8Array): MessageInfo {
  const fb = new Flatbuffer(bytes);
  const message = fb.root();
  const headerType = fb.scalarU8(message, 1);
  const header = fb.table(message, 2);
  fb.keyValues(message, 4);
  const bodyLength = fb.scalarI64(message, 3);
  if (!(bodyLength >= 0) || bodyLength > Number.MAX_SAFE_INTEGER) {
    throw new FlatbufferError(`a message body length of ${bodyLength}`);
  }
  if (header === undefined) {
    if (headerType !== 0) throw new FlatbufferError('a message without its header');
  } else if (headerType === 1) fb.schema(header, 0);
  else if (headerType === 2) fb.recordBatch(fb.table(header, 1));
  else if (headerType === 3) fb.recordBatch(header);
  return { headerType, bodyLength };
}

/**
 * Checks an IPC file's footer flatbuffer and returns its blocks.
 *
 * @example
 * const { recordBatches } = verifyFooter(footerBytes);
 */
export function verifyFooter(bytes: Uint8Array): FooterInfo {
  const fb = new Flatbuffer(bytes);
  const footer = fb.root();
  const schema = fb.table(footer, 1);
  if (schema === undefined) throw new FlatbufferError('a footer without a schema');
  fb.schema(schema, 0);
  fb.keyValues(footer, 4);
  return { dictionaries: fb.blocks(footer, 2), recordBatches: fb.blocks(footer, 3) };
}

class Flatbuffer {
  private readonly view: DataView;
  private readonly length: number;
  /** Tables visited, bounded so a cyclic or absurd structure cannot take long. */
  private budget = 1_000_000;

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }

  root(): number {
    this.need(0, 4);
    return this.checkTable(this.view.getUint32(0, true));
  }

  schema(schema: number, depth: number): void {
    this.fields(schema, 1, depth);
    this.keyValues(schema, 2);
    this.vector(schema, 3, 8);
  }

  recordBatch(batch: number | undefined): void {
    if (batch === undefined) return;
    const nodes = this.vector(batch, 1, 16);
    this.vector(batch, 2, 16);
    // Every top-level column is as long as the batch, and the first node is a top-level column;
    // apache-arrow would otherwise pad each column with a validity bitmap of the claimed length.
    if (nodes !== undefined && nodes.count > 0) {
      const rows = this.scalarI64(batch, 0);
      const first = Number(this.view.getBigInt64(nodes.start, true));
      if (rows !== first)
        throw new FlatbufferError(`a batch of ${rows} rows whose first column has ${first}`);
    }
    this.table(batch, 3);
    this.vector(batch, 4, 8);
  }

  blocks(table: number, field: number): IpcBlock[] {
    const v = this.vector(table, field, 24);
    if (v === undefined) return [];
    const out: IpcBlock[] = [];
    for (let i = 0; i < v.count; i++) {
      const at = v.start + i * 24;
      out.push({
        offset: Number(this.view.getBigInt64(at, true)),
        metaDataLength: this.view.getInt32(at + 8, true),
        bodyLength: Number(this.view.getBigInt64(at + 16, true)),
      });
    }
    return out;
  }

  keyValues(table: number, field: number): void {
    for (const kv of this.tables(table, field)) {
      this.vector(kv, 0, 1);
      this.vector(kv, 1, 1);
    }
  }

  table(table: number, field: number): number | undefined {
    const at = this.field(table, field);
    if (at === undefined) return undefined;
    this.need(at, 4);
    return this.checkTable(at + this.view.getUint32(at, true));
  }

  scalarU8(table: number, field: number): number {
    const at = this.field(table, field);
    if (at === undefined) return 0;
    this.need(at, 1);
    return this.view.getUint8(at);
  }

  scalarI64(table: number, field: number): number {
    const at = this.field(table, field);
    if (at === undefined) return 0;
    this.need(at, 8);
    return Number(this.view.getBigInt64(at, true));
  }

  private fields(table: number, field: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new FlatbufferError('schema fields nested too deep');
    for (const f of this.tables(table, field)) {
      this.vector(f, 0, 1);
      const typeType = this.scalarU8(f, 2);
      const type = this.table(f, 3);
      // Union types carry a vector of type ids; other type tables hold scalars and strings only.
      if (type !== undefined && typeType === 14) this.vector(type, 1, 4);
      const dictionary = this.table(f, 4);
      if (dictionary !== undefined) this.table(dictionary, 1);
      this.fields(f, 5, depth + 1);
      this.keyValues(f, 6);
    }
  }

  private tables(table: number, field: number): number[] {
    const v = this.vector(table, field, 4);
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
    field: number,
    elementSize: number,
  ): { start: number; count: number } | undefined {
    const at = this.field(table, field);
    if (at === undefined) return undefined;
    this.need(at, 4);
    const v = at + this.view.getUint32(at, true);
    this.need(v, 4);
    const count = this.view.getUint32(v, true);
    this.need(v + 4, count * elementSize);
    return { start: v + 4, count };
  }

  /** Position of a table's field, or `undefined` when the field is absent. */
  private field(table: number, field: number): number | undefined {
    const vtable = table - this.view.getInt32(table, true);
    const vtableSize = this.view.getUint16(vtable, true);
    const slot = 4 + 2 * field;
    if (slot + 2 > vtableSize) return undefined;
    const offset = this.view.getUint16(vtable + slot, true);
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
    for (let slot = 4; slot < vtableSize; slot += 2) {
      const offset = this.view.getUint16(vtable + slot, true);
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
}
