import { Float64, Int32, Int64 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { batchOf, fixedList, floats, list, primitive } from '../testing/batches.js';
import { batchTensors, rowShapes } from './batchTensors.js';

const batch = () =>
  batchOf({
    logits: fixedList(2, floats(10, 0, [3])), // row 1 has a null element
    target: primitive(new Int64(), BigInt64Array.from([0n, 1n, 0n, 1n, 1n]), [3]),
    weight: primitive(new Float64(), new Float64Array([1, 2, 3, 4, 5])),
    epoch: primitive(new Int32(), new Int32Array([0, 0, 1, 1, 1])),
  });

describe('batchTensors', () => {
  it('maps roles to views of their columns, sharing a column used twice', () => {
    const b = batchOf({ x: fixedList(2, floats(6)), y: primitive(new Int64(), new BigInt64Array(3)) });
    const { tensors, rows, skipped } = batchTensors(b, { input: 'x', target: 'y', key: 'y' });
    expect(rows).toBe(3);
    expect(skipped).toBe(0);
    expect(tensors.input!.shape).toEqual([3, 2]);
    expect(tensors.key).toBe(tensors.target);
    expect(tensors.input!.data.buffer).toBe((b.data.children[0]!.children[0]!.values as Float32Array).buffer);
  });

  it('a null in any selected column is NULL_VALUE naming column, batch and row', () => {
    let error: ArrowReadError | undefined;
    try {
      batchTensors(batch(), { input: 'logits', target: 'target' }, { batchIndex: 7 });
    } catch (e) {
      error = e as ArrowReadError;
    }
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({ code: 'NULL_VALUE', column: 'logits', batch: 7, row: 1 });
    expect(error!.message).toMatch(/column 'logits'.*batch 7|batch 7.*column 'logits'/);
    expect(error!.message).toMatch(/row 1/);
  });

  it("nulls: 'skip' drops the same rows from every tensor and counts them", () => {
    const { tensors, rows, skipped } = batchTensors(
      batch(),
      { input: 'logits', target: 'target', weight: 'weight', by: 'epoch' },
      { nulls: 'skip' },
    );
    expect(rows).toBe(3);
    expect(skipped).toBe(2);
    expect(Array.from(tensors.input!.data as Float32Array)).toEqual([0, 1, 4, 5, 8, 9]);
    expect(tensors.input!.shape).toEqual([3, 2]);
    expect(Array.from(tensors.target!.data as BigInt64Array)).toEqual([0n, 0n, 1n]);
    expect(Array.from(tensors.weight!.data as Float64Array)).toEqual([1, 3, 5]);
    expect(Array.from(tensors.by!.data as Int32Array)).toEqual([0, 1, 1]);
  });

  it("nulls: 'skip' without nulls copies nothing", () => {
    const b = batchOf({ x: floats(4) });
    const { tensors } = batchTensors(b, { input: 'x' }, { nulls: 'skip' });
    expect(tensors.input!.data.buffer).toBe((b.data.children[0]!.values as Float32Array).buffer);
  });

  it("nulls: 'skip' leaves null list rows out before checking the lengths of the rest", () => {
    const b = batchOf({ x: list([0, 2, 2, 4], floats(4), { nulls: [1] }), y: floats(3) });
    const { tensors, rows } = batchTensors(b, { input: 'x', target: 'y' }, { nulls: 'skip' });
    expect(rows).toBe(2);
    expect(tensors.input!.shape).toEqual([2, 2]);
    expect(Array.from(tensors.input!.data as Float32Array)).toEqual([0, 1, 2, 3]);
  });

  it('shapes: a per-row shape different from earlier batches is SHAPE_CHANGED naming the batch', () => {
    const first = batchTensors(batchOf({ x: list([0, 3, 6], floats(6)) }), { input: 'x' });
    const shapes = rowShapes(first)!;
    expect(shapes).toEqual({ input: [3] });
    expect(() =>
      batchTensors(batchOf({ x: list([0, 3], floats(3)) }), { input: 'x' }, { shapes }),
    ).not.toThrow();
    expect(() =>
      batchTensors(batchOf({ x: list([0, 4, 8], floats(8)) }), { input: 'x' }, { shapes, batchIndex: 5 }),
    ).toThrow(expect.objectContaining({ code: 'SHAPE_CHANGED', batch: 5, column: 'x' }));
    // An empty batch has no row shape to compare.
    expect(() =>
      batchTensors(batchOf({ x: list([0], floats(0)) }), { input: 'x' }, { shapes }),
    ).not.toThrow();
  });

  it('an unknown column is MISSING_COLUMN with the batch index', () => {
    expect(() => batchTensors(batch(), { input: 'nope' }, { batchIndex: 2 })).toThrow(
      expect.objectContaining({ code: 'MISSING_COLUMN', batch: 2, column: 'nope' }),
    );
  });
});
