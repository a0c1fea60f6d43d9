import {
  Bool,
  Field,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { batchOf, fixedList, floats, iota, list, primitive } from '../testing/batches.js';
import { columnTensor } from './columnTensor.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ArrowReadError) return e.code;
    throw e;
  }
  return undefined;
}

describe('columnTensor: the mapping table', () => {
  it('a float column is (rows), a view of the batch buffer', () => {
    const values = new Float64Array([1.5, -2, 3]);
    const batch = batchOf({ x: primitive(new Float64(), values) });
    const t = columnTensor(batch, 'x');
    expect(t.shape).toEqual([3]);
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(Array.from(t.data as Float64Array)).toEqual([1.5, -2, 3]);
    expect(t.data.buffer).toBe(values.buffer);
  });

  it.each([
    [new Int8(), Int8Array],
    [new Int16(), Int16Array],
    [new Int32(), Int32Array],
    [new Int64(), BigInt64Array],
    [new Uint8(), Uint8Array],
    [new Uint16(), Uint16Array],
    [new Uint32(), Uint32Array],
  ] as const)('integer column %s keeps its typed array', (type, Ctor) => {
    const values =
      Ctor === BigInt64Array
        ? new BigInt64Array([1n, -100n, 2n])
        : new (Ctor as Int8ArrayConstructor)([1, 0, 2]);
    const t = columnTensor(batchOf({ y: primitive(type, values) }), 'y');
    expect(t.data).toBeInstanceOf(Ctor);
    expect(t.shape).toEqual([3]);
    expect(t.data.buffer).toBe(values.buffer);
  });

  it('FixedSizeList<Float32>[C] is (rows, C), zero-copy', () => {
    const child = floats(12);
    const t = columnTensor(batchOf({ logits: fixedList(4, child) }), 'logits');
    expect(t.shape).toEqual([3, 4]);
    expect(t.data.buffer).toBe((child.values as Float32Array).buffer);
    expect(Array.from(t.data as Float32Array)).toEqual(Array.from(iota(12)));
  });

  it('nested fixed-size lists add dimensions: (rows, C, d)', () => {
    const t = columnTensor(batchOf({ x: fixedList(3, fixedList(2, floats(12))) }), 'x');
    expect(t.shape).toEqual([2, 3, 2]);
    expect((t.data as Float32Array)[11]).toBe(11);
  });

  it('arrow.fixed_shape_tensor is (rows, …shape)', () => {
    const batch = batchOf(
      { x: fixedList(6, floats(12)) },
      {
        x: {
          'ARROW:extension:name': 'arrow.fixed_shape_tensor',
          'ARROW:extension:metadata': '{"shape":[2,3]}',
        },
      },
    );
    const t = columnTensor(batch, 'x');
    expect(t.shape).toEqual([2, 2, 3]);
    expect(t.data.length).toBe(12);
  });

  it('arrow.fixed_shape_tensor: the identity permutation is accepted, another is rejected clearly', () => {
    const meta = (m: string) => ({
      x: { 'ARROW:extension:name': 'arrow.fixed_shape_tensor', 'ARROW:extension:metadata': m },
    });
    const identity = batchOf({ x: fixedList(6, floats(6)) }, meta('{"shape":[2,3],"permutation":[0,1]}'));
    expect(columnTensor(identity, 'x').shape).toEqual([1, 2, 3]);
    const swapped = batchOf({ x: fixedList(6, floats(6)) }, meta('{"shape":[2,3],"permutation":[1,0]}'));
    expect(() => columnTensor(swapped, 'x')).toThrow(/permutation \[1,0\] is not supported/);
    expect(codeOf(() => columnTensor(swapped, 'x'))).toBe('UNSUPPORTED');
    const wrongSize = batchOf({ x: fixedList(6, floats(6)) }, meta('{"shape":[4,2]}'));
    expect(codeOf(() => columnTensor(wrongSize, 'x'))).toBe('BAD_COLUMN_TYPE');
  });

  it('List<Float32> with equal row lengths is (rows, C), zero-copy', () => {
    const child = floats(9);
    const t = columnTensor(batchOf({ x: list([0, 3, 6, 9], child) }), 'x');
    expect(t.shape).toEqual([3, 3]);
    expect(t.data.buffer).toBe((child.values as Float32Array).buffer);
  });

  it('LargeList<Float64> with equal row lengths is (rows, C)', () => {
    const t = columnTensor(
      batchOf({
        x: list([0, 2, 4], primitive(new Float64(), new Float64Array([1, 2, 3, 4])), { large: true }),
      }),
      'x',
    );
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data as Float64Array)).toEqual([1, 2, 3, 4]);
  });

  it('List whose offsets do not start at 0 is viewed from its first offset', () => {
    const t = columnTensor(batchOf({ x: list([2, 4, 6], floats(8)) }), 'x');
    expect(Array.from(t.data as Float32Array)).toEqual([2, 3, 4, 5]);
  });

  it('List<FixedSizeList<Float32>[2]> is (rows, C, 2)', () => {
    const t = columnTensor(batchOf({ x: list([0, 3, 6], fixedList(2, floats(12))) }), 'x');
    expect(t.shape).toEqual([2, 3, 2]);
    expect((t.data as Float32Array)[11]).toBe(11);
  });

  it('List rows of different lengths are RAGGED, naming the row', () => {
    const e = (() => {
      try {
        columnTensor(batchOf({ x: list([0, 3, 6, 8], floats(8)) }), 'x');
      } catch (err) {
        return err as ArrowReadError;
      }
    })();
    expect(e?.code).toBe('RAGGED');
    expect(e?.row).toBe(2);
    expect(e?.column).toBe('x');
  });

  it('a zero-row batch gives empty tensors of the right rank', () => {
    expect(columnTensor(batchOf({ x: fixedList(4, floats(0)) }), 'x').shape).toEqual([0, 4]);
    expect(columnTensor(batchOf({ x: list([0], floats(0)) }), 'x').shape).toEqual([0, 0]);
  });
});

describe('columnTensor: unusable columns', () => {
  it.each([
    ['Utf8', vectorFromArray(['a', 'b'], new Utf8()).data[0]!],
    ['Bool', vectorFromArray([true, false], new Bool()).data[0]!],
    ['Float16', makeData({ type: new Float16(), data: new Uint16Array(2) })],
    ['Uint64', makeData({ type: new Uint64(), data: new BigUint64Array(2) })],
    ['List<List<Float32>>', list([0, 1, 2], list([0, 1, 2], floats(2)))],
  ])('%s is BAD_COLUMN_TYPE or UNSUPPORTED with a fix', (_, data) => {
    const batch = batchOf({ c: data });
    let error: ArrowReadError | undefined;
    try {
      columnTensor(batch, 'c');
    } catch (e) {
      error = e as ArrowReadError;
    }
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(['BAD_COLUMN_TYPE', 'UNSUPPORTED']).toContain(error!.code);
    expect(error!.column).toBe('c');
    expect(error!.hint).toBeTruthy();
  });

  it('a missing column is MISSING_COLUMN listing the columns and their types', () => {
    const batch = batchOf({
      logits: fixedList(2, floats(4)),
      label: primitive(new Int64(), new BigInt64Array(2)),
    });
    expect(() => columnTensor(batch, 'target')).toThrow(
      /no column 'target'; available: logits \(FixedSizeList\[2\]<Float32>\), label \(Int64\)/,
    );
    expect(() => columnTensor(batch, 'Logits')).toThrow(/Did you mean 'logits'/);
  });
});

describe('columnTensor: nulls, offsets and bounds', () => {
  it('a null row is NULL_VALUE naming the column and row', () => {
    let error: ArrowReadError | undefined;
    try {
      columnTensor(batchOf({ y: primitive(new Int32(), new Int32Array([1, 2, 3, 4]), [2]) }), 'y');
    } catch (e) {
      error = e as ArrowReadError;
    }
    expect(error?.code).toBe('NULL_VALUE');
    expect(error?.row).toBe(2);
    expect(error?.column).toBe('y');
    expect(error?.message).toMatch(/column 'y'/);
  });

  it('a null inside a fixed-size list row makes the row null', () => {
    const batch = batchOf({ x: fixedList(3, floats(9, 0, [7])) });
    expect(() => columnTensor(batch, 'x')).toThrow(expect.objectContaining({ code: 'NULL_VALUE', row: 2 }));
  });

  it('a null list row is NULL_VALUE', () => {
    const batch = batchOf({ x: list([0, 2, 2, 4], floats(4), { nulls: [1] }) });
    expect(() => columnTensor(batch, 'x')).toThrow(expect.objectContaining({ code: 'NULL_VALUE', row: 1 }));
  });

  it("respects a sliced batch's offset: values and nulls of the slice only", () => {
    const batch = batchOf({
      x: fixedList(2, floats(20)),
      y: primitive(
        new Int32(),
        Int32Array.from({ length: 10 }, (_, i) => i),
        [1],
      ),
    });
    const slice = batch.slice(3, 7);
    const x = columnTensor(slice, 'x');
    expect(x.shape).toEqual([4, 2]);
    expect(Array.from(x.data as Float32Array)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    const y = columnTensor(slice, 'y');
    expect(Array.from(y.data as Int32Array)).toEqual([3, 4, 5, 6]);
    // The null at row 1 is outside the slice; inside it, row 0 of the slice is row 3 of the batch.
    expect(() => columnTensor(batch.slice(1, 3), 'y')).toThrow(
      expect.objectContaining({ code: 'NULL_VALUE', row: 0 }),
    );
  });

  it("respects a list's offsets into its child and a child's own offset", () => {
    const child = floats(10).slice(2, 8); // child offset 2: values 2..7
    const t = columnTensor(batchOf({ x: list([0, 3, 6], child) }), 'x');
    expect(Array.from(t.data as Float32Array)).toEqual([2, 3, 4, 5, 6, 7]);
    const sliced = batchOf({ x: list([0, 2, 4, 6], floats(6)) }).slice(1, 3);
    expect(Array.from(columnTensor(sliced, 'x').data as Float32Array)).toEqual([2, 3, 4, 5]);
  });

  it('never reads past the batch: the view ends at the last row even if the buffer is longer', () => {
    const long = new Float32Array(100).fill(7);
    const data = makeData({ type: new Float32(), length: 5, nullCount: 0, data: long });
    const t = columnTensor(batchOf({ x: data }), 'x');
    expect(t.data.length).toBe(5);
    expect(t.data.buffer).toBe(long.buffer);
  });

  it('a value buffer shorter than the rows is CORRUPT, not a short tensor', () => {
    const fields = [new Field('x', new FixedSizeList(4, new Field('item', new Float32())))];
    const child = makeData({ type: new Float32(), length: 8, nullCount: 0, data: new Float32Array(8) });
    const x = makeData({ type: fields[0]!.type, length: 3, nullCount: 0, child });
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: 3, children: [x] }),
    );
    expect(() => columnTensor(batch, 'x')).toThrow(expect.objectContaining({ code: 'CORRUPT', column: 'x' }));
  });
});
