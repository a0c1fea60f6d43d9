import { ArrowReadError } from '@lossflow/arrow/worker';
import { createState, type LossState, mergeInto } from '@lossflow/core';
import type { GroupKey, GroupState, RowShapes } from '../chunks/LossChunk.js';
import type { WorkerLoss } from './lossTask.js';

/**
 * The losses of one batch from the losses of its row ranges, in row order (a big batch is computed
 * by every worker thread, a range each: see `WorkerPlan.merge` of `@lossflow/arrow`): rows and
 * skipped rows add up, states (the batch's and each key's) merge in row order, keys keep the order
 * they first appear in, and the steps are those at the batch's last row and at each key's last row.
 * The ranges are fixed by the batch and columns alone, so the merge is the same for any thread count.
 * A variable-length list column whose rows have one length in one range and another in the next is
 * `RAGGED`, as the whole batch's tensor would be (each range alone is a tensor).
 *
 * @throws {ArrowReadError} `RAGGED` when ranges' rows of a column differ in shape.
 * @example
 * const losses = mergeWorkerLosses(rangeResults); // rangeResults: WorkerLoss[][], one per range
 */
export function mergeWorkerLosses(parts: WorkerLoss[][]): WorkerLoss[] {
  const first = parts[0]!;
  return first.map((_, i) => mergeLoss(parts.map((p) => p[i]!)));
}

function mergeLoss(parts: readonly WorkerLoss[]): WorkerLoss {
  const first = parts[0]!;
  const state = createState(first.state.loss, first.state.dtype);
  let rows = 0;
  let skipped = 0;
  // The step at the batch's last row: the last range with rows has it (NaN when none has).
  let last = Number.NaN;
  let groups: Map<GroupKey, { state: LossState; step: number }> | undefined;
  for (const part of parts) {
    mergeInto(state, part.state);
    rows += part.rows;
    skipped += part.skipped;
    if (part.rows > 0 && part.steps !== undefined) last = part.steps.last;
    if (part.groups !== undefined) {
      groups ??= new Map();
      part.groups.forEach((g, k) => {
        const step = part.steps?.groups?.[k] ?? Number.NaN;
        const seen = groups!.get(g.key);
        if (seen === undefined) {
          groups!.set(g.key, { state: mergeInto(createState(g.state.loss, g.state.dtype), g.state), step });
        } else {
          mergeInto(seen.state, g.state);
          seen.step = step;
        }
      });
    }
  }
  const merged: GroupState[] | undefined =
    groups === undefined ? undefined : [...groups].map(([key, g]) => ({ key, state: g.state }));
  const withRows = parts.find((p) => p.rowShapes !== undefined);
  for (const part of parts) if (part !== withRows) sameRowShapes(withRows?.rowShapes, part.rowShapes);
  return {
    rows,
    skipped,
    state,
    groups: merged,
    steps:
      first.steps === undefined
        ? undefined
        : { last, groups: groups === undefined ? undefined : [...groups.values()].map((g) => g.step) },
    rowShapes: withRows?.rowShapes,
    rowDtypes: withRows?.rowDtypes,
  };
}

/** Throws `RAGGED` when a range's row shape of a column is not the first range's. */
function sameRowShapes(first: RowShapes | undefined, part: RowShapes | undefined): void {
  if (first === undefined || part === undefined) return;
  for (const column in part) {
    const a = first[column];
    const b = part[column]!;
    if (a === undefined || (a.length === b.length && a.every((n, i) => n === b[i]))) continue;
    throw new ArrowReadError(
      'RAGGED',
      `list rows have different lengths in one batch (rows of shape [${a.join(', ')}], then [${b.join(', ')}])`,
      {
        column,
        hint: 'Every row of an input or target list must have the same length; pad or filter the rows when writing.',
      },
    );
  }
}
