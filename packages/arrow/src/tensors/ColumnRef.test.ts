import { type Data, Float32 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { TensorLayout } from '../schema/tensorLayout.js';
import { bitmap, fixedList, floats } from '../testing/batches.js';
import { type ColumnRef, nullRows } from './ColumnRef.js';
import { tensorsFromColumnRefs } from './tensorsFromColumnRefs.js';

const scalar: TensorLayout = { usable: true, dtype: 'float32', rowShape: [], list: undefined, fixed: [] };

function ref(data: Data, layout: TensorLayout = scalar): ColumnRef {
  return { name: 'x', data, layout };
}

/**
 * A column as a worker lays out one row range of a big batch: a validity bitmap and a null count of
 * −1 (unknown), whatever the range holds.
 */
function rangeColumn(rows: number, nulls: readonly number[]): Data {
  return {
    type: new Float32(),
    length: rows,
    offset: 0,
    nullCount: -1,
    nullBitmap: bitmap(rows, nulls),
    values: new Float32Array(rows),
    children: [],
  } as unknown as Data;
}

describe('nullRows', () => {
  it('is undefined for a range whose bitmap marks no null (null count unknown)', () => {
    expect(nullRows(ref(rangeColumn(128, [])), 128, {})).toBeUndefined();
  });

  it('marks the null rows of a range with an unknown null count', () => {
    const mask = nullRows(ref(rangeColumn(128, [70])), 128, {});
    expect(mask?.indexOf(1)).toBe(70);
  });

  it('is undefined when the nulls lie past the rows asked for (a limit)', () => {
    expect(nullRows(ref(floats(16, 0, [12])), 8, {})).toBeUndefined();
    const layout: TensorLayout = { ...scalar, rowShape: [2], fixed: [2] };
    expect(nullRows(ref(fixedList(2, floats(16, 0, [13])), layout), 4, {})).toBeUndefined();
  });
});

describe('tensorsFromColumnRefs: nulls in a range or past a limit', () => {
  it('names the null row, never −1', () => {
    const refs = new Map([['x', ref(rangeColumn(128, [100]))]]);
    let error: unknown;
    try {
      tensorsFromColumnRefs(refs, { input: 'x' }, 128, { batchIndex: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArrowReadError);
    expect((error as ArrowReadError).code).toBe('NULL_VALUE');
    expect((error as ArrowReadError).row).toBe(100);
  });

  it('computes a range without nulls, and the rows before a null past the limit', () => {
    const range = tensorsFromColumnRefs(new Map([['x', ref(rangeColumn(128, []))]]), { input: 'x' }, 128);
    expect(range.rows).toBe(128);
    const limited = tensorsFromColumnRefs(new Map([['x', ref(floats(16, 0, [12]))]]), { input: 'x' }, 8);
    expect(limited.rows).toBe(8);
    expect(limited.skipped).toBe(0);
  });
});
