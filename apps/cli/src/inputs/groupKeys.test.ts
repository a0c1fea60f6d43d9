import { ArrowReadError, columnTensor } from '@lossflow/arrow';
import {
  Decimal,
  Dictionary,
  Float64,
  Int32,
  makeData,
  makeVector,
  type RecordBatch,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { GroupKeys } from './groupKeys.js';

function batch(epochs: number[]): RecordBatch {
  return new Table({
    epoch: makeVector(BigInt64Array.from(epochs.map(BigInt))),
    pred: makeVector(Float64Array.from(epochs.map(() => 0.5))),
  }).batches[0]!;
}

/** The key of each row of a decorated batch. */
function keysOf(keys: GroupKeys, b: RecordBatch): unknown[] {
  const ids = b.getChild(keys.column)!.toArray() as Int32Array;
  return Array.from(ids, (id) => keys.keyOf(id));
}

describe('GroupKeys', () => {
  it('leaves one column of the data to the loss operators', () => {
    expect(GroupKeys.of('epoch', new Map())).toBeUndefined();
    expect(GroupKeys.of(undefined, new Map())).toBeUndefined();
  });

  it('numbers the combinations of a partition key and a column in the order they appear', () => {
    const keys = GroupKeys.of('run,epoch', new Map([['run', ['a', 'b']]]))!;
    expect(keys.dataColumns).toEqual(['epoch']);
    const first = keys.decorate(batch([0, 0, 1]), 'a.arrows', 0);
    const second = keys.decorate(batch([1, 0]), 'b.arrows', 1);
    expect(keysOf(keys, first)).toEqual([
      { run: 'a', epoch: 0 },
      { run: 'a', epoch: 0 },
      { run: 'a', epoch: 1 },
    ]);
    expect(keysOf(keys, second)).toEqual([
      { run: 'b', epoch: 1 },
      { run: 'b', epoch: 0 },
    ]);
    // One object per combination: the outputs compare keys by identity.
    expect(keys.keyOf(0)).toBe(keys.keyOf(0));
    expect(first.schema.fields.map((f) => f.name)).toEqual(['epoch', 'pred', 'run,epoch']);
  });

  it("numbers another GroupKeys' combinations from their values text, as its own data would", () => {
    // A worker numbers the keys of its file; the coordinator numbers them across the run.
    const worker = GroupKeys.of('run,epoch', new Map([['run', ['b']]]))!;
    const decorated = worker.decorate(batch([1, 0, 1]), 'b.arrows', 0);
    const coordinator = GroupKeys.of('run,epoch', new Map([['run', ['a', 'b']]]))!;
    coordinator.decorate(batch([0]), 'a.arrows', 0);
    const ids = Array.from(new Set(decorated.getChild(worker.column)!.toArray() as Int32Array));
    const remapped = ids.map((id) => coordinator.idOfText(worker.valuesText(id)));
    expect(remapped).toEqual([1, 2]);
    expect(remapped.map((id) => coordinator.keyOf(id))).toEqual([
      { run: 'b', epoch: 1 },
      { run: 'b', epoch: 0 },
    ]);
    // Known values keep their number; numbers JSON cannot carry survive.
    expect(coordinator.idOfText(worker.valuesText(ids[0]!))).toBe(1);
    const floats = GroupKeys.of('file,x', new Map())!;
    const b = new Table({ x: makeVector(Float64Array.of(Number.NaN, -0, Number.POSITIVE_INFINITY)) })
      .batches[0]!;
    const fid = Array.from(floats.decorate(b, 'f', 0).getChild('file,x')!.toArray() as Int32Array);
    const other = GroupKeys.of('file,x', new Map())!;
    const back = fid.map((id) => other.keyOf(other.idOfText(floats.valuesText(id))));
    expect(back).toEqual(fid.map((id) => floats.keyOf(id)));
    expect(Object.is((back[1] as { x: number }).x, -0)).toBe(true);
  });

  it('--by file keys each batch by its file', () => {
    const keys = GroupKeys.of('file', new Map())!;
    expect(keysOf(keys, keys.decorate(batch([3, 3]), 'x/a.arrows', 0))).toEqual(['x/a.arrows', 'x/a.arrows']);
    expect(keysOf(keys, keys.decorate(batch([3]), 'x/b.arrows', 1))).toEqual(['x/b.arrows']);
  });

  it('refuses a key column that does not hold numbers: BAD_COLUMN_TYPE naming the column and file', () => {
    const keys = GroupKeys.of('file,name', new Map())!;
    const b = new Table({
      name: vectorFromArray(['a', 'b'], new Utf8()),
      x: vectorFromArray([1, 2], new Float64()),
    }).batches[0]!;
    expect(() => keys.decorate(b, 'f.parquet', 0)).toThrow(ArrowReadError);
    expect(() => keys.decorate(b, 'f.parquet', 0)).toThrow(/'name'.*f\.parquet|f\.parquet.*'name'/);
  });

  it.each([
    ['Dictionary', vectorFromArray(['x', 'x', 'y'], new Dictionary(new Utf8(), new Int32()))],
    [
      'Decimal',
      makeVector(makeData({ type: new Decimal(3, 10, 128), length: 3, data: new Uint32Array(12).fill(7) })),
    ],
  ])('refuses a %s key column among several keys exactly as a single --by does', (_, key) => {
    const b = new Table({ key, x: vectorFromArray([1, 2, 3], new Float64()) }).batches[0]!;
    const single = (() => {
      try {
        columnTensor(b, 'key');
      } catch (e) {
        return e;
      }
    })() as ArrowReadError;
    expect(single).toMatchObject({ code: 'BAD_COLUMN_TYPE' });
    const keys = GroupKeys.of('file,key', new Map())!;
    expect(() => keys.decorate(b, 'f.arrows', 0)).toThrow(
      expect.objectContaining({ code: 'BAD_COLUMN_TYPE', column: 'key', detail: single.detail }),
    );
  });
});
