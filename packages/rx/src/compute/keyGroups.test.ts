import { mseLoss as coreMseLoss, finalize, LossError } from '@lossflow/core';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
} from 'apache-arrow';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { crossEntropy, mseLoss } from '../operators/lossOperators.js';
import { reduceGroups } from '../reduce/reduceGroups.js';

/** One batch of `pred`, `y`, a key column and a step column (10 × the row index). */
function batch(pred: number[], y: number[], keys: number[]): RecordBatch {
  const fields = [
    new Field('input', new Float64(), false),
    new Field('target', new Float64(), false),
    new Field('key', new Int32(), false),
    new Field('step', new Float32(), false),
  ];
  const n = pred.length;
  return new RecordBatch(
    new Schema(fields),
    makeData({
      type: new Struct(fields),
      length: n,
      children: [
        makeData({ type: new Float64(), length: n, data: Float64Array.from(pred) }),
        makeData({ type: new Float64(), length: n, data: Float64Array.from(y) }),
        makeData({ type: new Int32(), length: n, data: Int32Array.from(keys) }),
        makeData({ type: new Float32(), length: n, data: Float32Array.from(keys, (_, i) => 10 * i) }),
      ],
    }),
  );
}

const rows = 1001;
const pred = Array.from({ length: rows }, (_, i) => Math.sin(i));
const y = Array.from({ length: rows }, (_, i) => Math.cos(i));
const alternating = Array.from({ length: rows }, (_, i) => i % 2);

describe('a chunk holds one state per distinct key of its batch', () => {
  it('alternating keys 0,1,0,1… give 2 groups equal to the one-shot loss of each key', async () => {
    const chunk = await firstValueFrom(
      from([batch(pred, y, alternating)]).pipe(mseLoss({ by: 'key', step: 'step' })),
    );
    expect(chunk.groups!.map((g) => g.key)).toEqual([0, 1]);
    for (const key of [0, 1]) {
      const p = pred.filter((_, i) => alternating[i] === key);
      const t = y.filter((_, i) => alternating[i] === key);
      const state = chunk.groups!.find((g) => g.key === key)!.state;
      expect(finalize(state, 'mean')).toBeCloseTo(coreMseLoss(p, t) as number, 14);
      expect(state.rows).toBe(p.length);
    }
    // Each key's step is the step at its last row in the batch.
    expect(chunk.steps!.groups).toEqual([10 * (rows - 1), 10 * (rows - 2)]);
    expect(finalize(chunk.state, 'mean')).toBeCloseTo(coreMseLoss(pred, y) as number, 14);
  });

  it('keeps keys in order of first appearance, with every row of each key', async () => {
    const keys = [5, 5, 3, 3, 5, 9, 3];
    const b = batch(pred.slice(0, 7), y.slice(0, 7), keys);
    const chunk = await firstValueFrom(from([b]).pipe(mseLoss({ by: 'key' })));
    expect(chunk.groups!.map((g) => [g.key, g.state.rows])).toEqual([
      [5, 3],
      [3, 3],
      [9, 1],
    ]);
    const groups = await lastValueFrom(
      from([b]).pipe(mseLoss({ by: 'key' }), reduceGroups('sum'), toArray()),
    );
    for (const g of groups) {
      const idx = keys.flatMap((k, i) => (k === g.key ? [i] : []));
      const expected = coreMseLoss(
        idx.map((i) => pred[i]!),
        idx.map((i) => y[i]!),
        { reduction: 'sum' },
      ) as number;
      expect(g.value).toBeCloseTo(expected, 14);
    }
  });

  it("reports a loss error at the row of the batch, also in a key's gathered rows", async () => {
    const logits = new FixedSizeList(2, new Field('item', new Float64(), false));
    const fields = [
      new Field('input', logits, false),
      new Field('target', new Int32(), false),
      new Field('key', new Int32(), false),
    ];
    const keys = [0, 1, 0, 1, 0, 1];
    const target = [0, 1, 0, 1, 7, 0]; // row 4 (key 0's third row) is out of range
    const b = new RecordBatch(
      new Schema(fields),
      makeData({
        type: new Struct(fields),
        length: 6,
        children: [
          makeData({
            type: logits,
            length: 6,
            child: makeData({ type: new Float64(), length: 12, data: Float64Array.from(pred.slice(0, 12)) }),
          }),
          makeData({ type: new Int32(), length: 6, data: Int32Array.from(target) }),
          makeData({ type: new Int32(), length: 6, data: Int32Array.from(keys) }),
        ],
      }),
    );
    const e = await firstValueFrom(from([b]).pipe(crossEntropy({ by: 'key' }))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LossError);
    expect(e).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', row: 4, batch: 0, column: 'target' });
  });
});
