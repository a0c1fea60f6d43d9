import {
  type Data,
  type DataType,
  Field,
  FixedSizeList,
  Float32,
  LargeList,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
} from 'apache-arrow';

/** A validity bitmap with the listed positions null (bit 0 = null). */
export function bitmap(length: number, nulls: readonly number[]): Uint8Array {
  const b = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  for (const i of nulls) b[i >> 3]! &= ~(1 << (i & 7));
  return b;
}

/** A primitive column (`Float32`, `Int64`, …) over `values`, with optional null positions. */
export function primitive<T extends DataType>(
  type: T,
  values: ArrayLike<unknown>,
  nulls: readonly number[] = [],
): Data<T> {
  return makeData({
    type,
    length: values.length,
    nullCount: nulls.length,
    data: values as never,
    ...(nulls.length > 0 ? { nullBitmap: bitmap(values.length, nulls) } : {}),
  } as never) as Data<T>;
}

/** A `FixedSizeList<child type>[size]` column over a child column. */
export function fixedList(size: number, child: Data, nulls: readonly number[] = []): Data {
  const length = child.length / size;
  return makeData({
    type: new FixedSizeList(size, new Field('item', child.type, true)),
    length,
    nullCount: nulls.length,
    child,
    ...(nulls.length > 0 ? { nullBitmap: bitmap(length, nulls) } : {}),
  } as never);
}

/** A `List` (or `LargeList`) column with the given offsets over a child column. */
export function list(
  offsets: readonly number[],
  child: Data,
  options: { large?: boolean; nulls?: readonly number[] } = {},
): Data {
  const nulls = options.nulls ?? [];
  const length = offsets.length - 1;
  const field = new Field('item', child.type, true);
  return makeData({
    type: options.large === true ? new LargeList(field) : new List(field),
    length,
    nullCount: nulls.length,
    valueOffsets: options.large === true ? BigInt64Array.from(offsets, BigInt) : Int32Array.from(offsets),
    child,
    ...(nulls.length > 0 ? { nullBitmap: bitmap(length, nulls) } : {}),
  } as never);
}

/** A record batch of the given columns; `metadata` adds field metadata (e.g. an extension type). */
export function batchOf(
  columns: Record<string, Data>,
  metadata: Record<string, Record<string, string>> = {},
): RecordBatch {
  const fields = Object.entries(columns).map(
    ([name, data]) => new Field(name, data.type, true, new Map(Object.entries(metadata[name] ?? {}))),
  );
  const children = Object.values(columns);
  const length = children[0]?.length ?? 0;
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length, nullCount: 0, children }),
  );
}

/** Float32 values 0, 1, 2, … (easy to check positions by value). */
export function iota(n: number, start = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => start + i);
}

/** A Float32 column of 0, 1, 2, … */
export function floats(n: number, start = 0, nulls: readonly number[] = []): Data {
  return primitive(new Float32(), iota(n, start), nulls);
}
