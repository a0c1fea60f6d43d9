import { mseLoss, mseLossPartial, type Tensor } from '@lossflow/core';
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import type { GroupKey, LossChunk } from '../chunks/LossChunk.js';

const emptyBatch = new RecordBatch(
  new Schema([]),
  makeData({ type: new Struct([]), length: 0, children: [] }),
);

/**
 * A test chunk of MSE over `pred`/`y` (equal lengths), optionally with per-row group keys: the
 * same states a loss operator would produce for such a batch.
 */
export function mseChunk(batch: number, pred: number[], y: number[], keys?: GroupKey[]): LossChunk {
  const groups =
    keys === undefined
      ? undefined
      : runs(keys).map(([s, e]) => ({
          key: keys[s]!,
          state: mseLossPartial(pred.slice(s, e), y.slice(s, e)),
        }));
  return {
    loss: 'mseLoss',
    batch,
    rows: pred.length,
    skipped: 0,
    state: mseLossPartial(pred, y),
    groups,
    perRow: mseLoss(pred, y, { reduction: 'none' }) as Tensor,
    source: emptyBatch,
  };
}

function runs(keys: GroupKey[]): [number, number][] {
  const out: [number, number][] = [];
  let s = 0;
  for (let i = 1; i <= keys.length; i++) {
    if (i === keys.length || keys[i] !== keys[s]) {
      out.push([s, i]);
      s = i;
    }
  }
  return out;
}
