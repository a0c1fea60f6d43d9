import { Field, FixedSizeList, Float32, Float64, Int32, Int64, List } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type TensorLayout, tensorLayout } from '../schema/tensorLayout.js';
import { RANGE_BYTES, rangeRows } from './rangeRows.js';

const layout = (field: Field): TensorLayout => {
  const l = tensorLayout(field);
  if (!l.usable) throw new Error(l.reason);
  return l;
};

describe('rangeRows', () => {
  it('cuts 4 MiB of the columns’ values, in multiples of 64 rows', () => {
    const logits = layout(
      new Field('logits', new FixedSizeList(10, new Field('item', new Float64(), false))),
    );
    const target = layout(new Field('target', new Int64()));
    const epoch = layout(new Field('epoch', new Int32()));
    // 80 + 8 + 4 = 92 bytes a row.
    expect(rangeRows([logits, target, epoch])).toBe(Math.floor(RANGE_BYTES / 92 / 64) * 64);
    expect(rangeRows([logits, target, epoch])! % 64).toBe(0);
    expect(rangeRows([target], 64)).toBe(64);
  });

  it('cuts a variable-length list column by its batch’s mean list length, and not without it', () => {
    const list = layout(new Field('logits', new List(new Field('item', new Float32(), false))));
    const target = layout(new Field('target', new Int64()));
    expect(rangeRows([list, target])).toBeUndefined();
    // 1000 rows of 100 floats: 400 + 8 bytes a row, whatever the order of the columns.
    const step = Math.floor(RANGE_BYTES / 408 / 64) * 64;
    expect(rangeRows([list, target], RANGE_BYTES, { rows: 1000, elements: [100_000, undefined] })).toBe(step);
    expect(rangeRows([target, list], RANGE_BYTES, { rows: 1000, elements: [undefined, 100_000] })).toBe(step);
    // Empty lists only: nothing to cut by.
    expect(rangeRows([list], RANGE_BYTES, { rows: 1000, elements: [0] })).toBeUndefined();
  });
});
