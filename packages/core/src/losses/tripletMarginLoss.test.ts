import { describe, expect, it } from 'vitest';
import type { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { tripletMarginLoss, tripletMarginLossPartial } from './tripletMarginLoss.js';

runGoldens('TripletMarginLoss', ([anchor, positive, negative], options) =>
  tripletMarginLoss(anchor!, positive!, negative!, options),
);

describe('tripletMarginLoss', () => {
  it('refuses margin ≤ 0 (torch 2.x)', () => {
    for (const margin of [0, -1]) {
      try {
        tripletMarginLoss([[1]], [[1]], [[2]], { margin });
        expect.unreachable();
      } catch (e) {
        expect((e as LossError).code).toBe('INVALID_OPTION');
        expect((e as LossError).argument).toBe('margin');
      }
    }
  });
  it('gives the margin for identical inputs (d = eps·D^(1/p) on both sides)', () => {
    const x = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const out = tripletMarginLoss(x, x, x, { margin: 0.7, reduction: 'none' });
    expect(Array.from(out.data)).toEqual([0.7, 0.7]);
  });
  it('supports the max norm and any p', () => {
    const a = [[0, 0]];
    const p = [[3, -4]];
    const n = [[10, 0]];
    const eps = 0;
    expect(tripletMarginLoss(a, p, n, { p: Number.POSITIVE_INFINITY, eps, margin: 7 })).toBeCloseTo(
      7 + 4 - 10,
      14,
    );
    expect(tripletMarginLoss(a, p, n, { p: 1, eps, margin: 4 })).toBeCloseTo(4 + 7 - 10, 14);
    expect(tripletMarginLoss(a, p, n, { p: 3, eps, margin: 8 })).toBeCloseTo(
      8 + (27 + 64) ** (1 / 3) - 10,
      13,
    );
  });
  it('broadcasts embeddings of the same rank, distance by distance as torch', () => {
    const a = [[0, 0]];
    const p = [
      [3, 4],
      [0, 1],
    ];
    const n = [[6, 8]];
    const out = tripletMarginLoss(a, p, n, { eps: 0, margin: 6, reduction: 'none' });
    expect(out.shape).toEqual([2]);
    expect(out.data[0]).toBeCloseTo(1, 14);
    expect(out.data[1]).toBeCloseTo(0, 14);
  });
  it('accumulates batches into one state', () => {
    const s = tripletMarginLossPartial([[0, 1]], [[1, 1]], [[0, 2]], { swap: true });
    tripletMarginLossPartial([[2, 2]], [[2, 3]], [[5, 5]], { swap: true }, s);
    const all = tripletMarginLoss(
      [
        [0, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 3],
      ],
      [
        [0, 2],
        [5, 5],
      ],
      { swap: true },
    );
    expect(finalize(s, 'mean')).toBeCloseTo(all, 15);
  });
});
