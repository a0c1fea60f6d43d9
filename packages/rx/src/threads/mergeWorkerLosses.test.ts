/**
 * The losses of a batch's row ranges merged into the batch's: rows add up, states and key states
 * merge in row order, keys keep their first-appearance order, and the steps are those of the
 * batch's last row and each key's last row, also when the last range kept no rows.
 */
import { addToState, createState, finalize, type LossState } from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import type { WorkerLoss } from './lossTask.js';
import { mergeWorkerLosses } from './mergeWorkerLosses.js';

function state(sum: number, rows: number): LossState {
  return addToState(createState('mseLoss', 'float32'), sum, rows, rows);
}

function part(
  rows: number,
  groups: [number, number][],
  steps: { last: number; groups: number[] },
  skipped = 0,
): WorkerLoss {
  return {
    rows,
    skipped,
    state: state(
      groups.reduce((a, [, s]) => a + s, 0),
      rows,
    ),
    groups: groups.map(([key, sum]) => ({ key, state: state(sum, 1) })),
    steps,
    rowShapes: rows === 0 ? undefined : { pred: [] },
    rowDtypes: rows === 0 ? undefined : { pred: 'float32' },
  };
}

describe('mergeWorkerLosses', () => {
  it('merges each loss of the ranges in row order into the batch’s', () => {
    const ranges = [
      [
        part(
          3,
          [
            [0, 1],
            [1, 2],
          ],
          { last: 12, groups: [10, 12] },
        ),
      ],
      [
        part(
          2,
          [
            [1, 4],
            [2, 8],
          ],
          { last: 14, groups: [13, 14] },
          1,
        ),
      ],
      // The last range kept no rows: the batch's last step is the range's before.
      [part(0, [], { last: Number.NaN, groups: [] }, 2)],
    ];
    const [merged] = mergeWorkerLosses(ranges);
    expect(merged!.rows).toBe(5);
    expect(merged!.skipped).toBe(3);
    expect(finalize(merged!.state, 'sum')).toBe(15);
    expect(merged!.state.rows).toBe(5);
    expect(merged!.groups!.map((g) => [g.key, finalize(g.state, 'sum'), g.state.rows])).toEqual([
      [0, 1, 1],
      [1, 6, 2],
      [2, 8, 1],
    ]);
    expect(merged!.steps).toEqual({ last: 14, groups: [10, 13, 14] });
    expect(merged!.rowShapes).toEqual({ pred: [] });
    expect(merged!.rowDtypes).toEqual({ pred: 'float32' });
  });

  it('keeps each loss apart, and gives no steps or groups where the ranges have none', () => {
    const plain = (rows: number): WorkerLoss => ({
      ...part(rows, [], { last: 0, groups: [] }),
      groups: undefined,
      steps: undefined,
    });
    const merged = mergeWorkerLosses([
      [plain(0), plain(2)],
      [plain(0), plain(3)],
    ]);
    expect(merged.map((m) => m.rows)).toEqual([0, 5]);
    expect(merged[0]!.steps).toBeUndefined();
    expect(merged[0]!.groups).toBeUndefined();
    expect(merged[0]!.rowShapes).toBeUndefined();
    expect(merged[1]!.rowShapes).toEqual({ pred: [] });
  });

  it('refuses ranges whose rows of a list column have another length than the first range’s: RAGGED', () => {
    const a = { ...part(2, [], { last: 0, groups: [] }), groups: undefined, rowShapes: { logits: [20] } };
    const b = { ...a, rowShapes: { logits: [21] } };
    expect(() => mergeWorkerLosses([[a], [a]])).not.toThrow();
    expect(() => mergeWorkerLosses([[a], [b]])).toThrow(
      expect.objectContaining({ code: 'RAGGED', column: 'logits' }),
    );
    // A range without rows has no shape to compare.
    expect(() => mergeWorkerLosses([[a], [{ ...b, rows: 0, rowShapes: undefined }]])).not.toThrow();
  });
});
