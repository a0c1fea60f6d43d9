import { mseLossPartial } from '@lossflow/core';
import type { GroupKey, LossChunk } from '@lossflow/rx';

/**
 * An MSE chunk over `pred`/`y`, with groups per run of equal `epochs` and the `steps` a loss
 * operator with `by: 'epoch', step: 'step'` would make for these step values (default: row indices).
 */
export function mseChunk(
  batch: number,
  pred: number[],
  y: number[],
  epochs: number[] | undefined,
  steps: number[] = pred.map((_, i) => i),
): LossChunk {
  const n = pred.length;
  let groups: { key: GroupKey; state: ReturnType<typeof mseLossPartial> }[] | undefined;
  const groupSteps: number[] = [];
  if (epochs !== undefined) {
    groups = [];
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i === n || epochs[i] !== epochs[start]) {
        groups.push({ key: epochs[start]!, state: mseLossPartial(pred.slice(start, i), y.slice(start, i)) });
        groupSteps.push(steps[i - 1]!);
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
    steps: { last: steps[n - 1] ?? Number.NaN, groups: groups === undefined ? undefined : groupSteps },
    source: undefined,
  };
}
