/**
 * Field access into a flatbuffer (Arrow IPC metadata: a message, a footer) by table position and
 * field index, building no objects beyond what is asked for. It trusts the bytes to be well
 * formed: check them first (see `verifyIpcMetadata.ts`); a bad offset still only throws a
 * `RangeError` from the `DataView`, never reads outside the bytes.
 *
 * @example
 * const fb = new FlatbufferReader(metadata);
 * const bodyLength = fb.int64(fb.root(), 3);
 */
export class FlatbufferReader {
  readonly view: DataView;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Position of the root table. */
  root(): number {
    return this.view.getUint32(0, true);
  }

  /** Position of field `index` of the table at `table`, or 0 when the field is absent (its default). */
  field(table: number, index: number): number {
    const vtable = table - this.view.getInt32(table, true);
    const at = 4 + 2 * index;
    if (at >= this.view.getUint16(vtable, true)) return 0;
    const offset = this.view.getUint16(vtable + at, true);
    return offset === 0 ? 0 : table + offset;
  }

  uint8(table: number, index: number, fallback = 0): number {
    const at = this.field(table, index);
    return at === 0 ? fallback : this.view.getUint8(at);
  }

  int16(table: number, index: number, fallback = 0): number {
    const at = this.field(table, index);
    return at === 0 ? fallback : this.view.getInt16(at, true);
  }

  int32(table: number, index: number, fallback = 0): number {
    const at = this.field(table, index);
    return at === 0 ? fallback : this.view.getInt32(at, true);
  }

  /** A 64-bit integer field as a number (exact up to 2^53, which every length and offset is). */
  int64(table: number, index: number, fallback = 0): number {
    const at = this.field(table, index);
    return at === 0 ? fallback : this.int64At(at);
  }

  /** The 64-bit integer at a position (a struct member in a vector). */
  int64At(at: number): number {
    return Number(this.view.getBigInt64(at, true));
  }

  /** Position of the sub-table in field `index`, or 0 when absent. */
  table(table: number, index: number): number {
    const at = this.field(table, index);
    return at === 0 ? 0 : at + this.view.getUint32(at, true);
  }

  /** Where the elements of the vector in field `index` start, and how many there are (0 when absent). */
  vector(table: number, index: number): { start: number; length: number } {
    const at = this.field(table, index);
    if (at === 0) return { start: 0, length: 0 };
    const v = at + this.view.getUint32(at, true);
    return { start: v + 4, length: this.view.getUint32(v, true) };
  }

  /** Positions of the tables in the vector of tables in field `index`. */
  tables(table: number, index: number): number[] {
    const { start, length } = this.vector(table, index);
    const out: number[] = [];
    for (let i = 0; i < length; i++) {
      const at = start + 4 * i;
      out.push(at + this.view.getUint32(at, true));
    }
    return out;
  }

  /** The string in field `index`, or `undefined` when absent. */
  string(table: number, index: number): string | undefined {
    const at = this.field(table, index);
    if (at === 0) return undefined;
    const s = at + this.view.getUint32(at, true);
    const length = this.view.getUint32(s, true);
    return decoder.decode(this.#bytes.subarray(s + 4, s + 4 + length));
  }
}

const decoder = new TextDecoder();
