import { mseLossPartial } from '@lossflow/core';
import type { GroupKey, LossChunk } from '@lossflow/rx';
import { Field, Int32, Int64, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';

/**
 * An MSE chunk over `pred`/`y` whose source batch has `epoch` and `step` columns, with groups per
 * run of equal epochs (as a loss operator with `by: 'epoch'` would make it).
 */
export function mseChunk(
  batch: number,
  pred: number[],
  y: number[],
  epochs: number[] | undefined,
  steps: number[] = pred.map((_, i) => i),
): LossChunk {
  const n = pred.length;
  const fields = [new Field('epoch', new Int32(), false), new Field('step', new Int64(), false)];
  const source = new RecordBatch(
    new Schema(fields),
    makeData({
      type: new Struct(fields),
      length: n,
      children: [
        makeData({ type: new Int32(), length: n, data: Int32Array.from(epochs ?? pred.map(() => 0)) }),
        makeData({ type: new Int64(), length: n, data: BigInt64Array.from(steps.map(BigInt)) }),
      ],
    }),
  );
  let groups: { key: GroupKey; state: ReturnType<typeof mseLossPartial> }[] | undefined;
  if (epochs !== undefined) {
    groups = [];
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i === n || epochs[i] !== epochs[start]) {
        groups.push({ key: epochs[start]!, state: mseLossPartial(pred.slice(start, i), y.slice(start, i)) });
        start = i;
      }
    }
  }
  return {
    loss: 'mseLoss',
    batch,
    rows: n,
    skipped: 0,
    state: mseLossPartial(pred, y),
    groups,
    perRow: undefined,
    source,
  };
}
