import { describe, expect, it } from 'vitest';
import type { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { marginRankingLoss, marginRankingLossPartial } from './marginRankingLoss.js';

runGoldens('MarginRankingLoss', ([input1, input2, target], options) =>
  marginRankingLoss(input1!, input2!, target!, options),
);

describe('marginRankingLoss', () => {
  it('requires identical sizes (torch 2.x), not just equal ranks', () => {
    try {
      marginRankingLoss([1, 2], [1], [1, 1]);
      expect.unreachable();
    } catch (e) {
      expect((e as LossError).code).toBe('SHAPE_MISMATCH');
      expect((e as LossError).message).toMatch(/same size/);
    }
  });
  it('returns the 0-d loss of one pair', () => {
    const one = (v: number) => ({ data: new Float64Array([v]), shape: [] });
    const out = marginRankingLoss(one(0.2), one(0.5), one(1), { margin: 0.1, reduction: 'none' });
    expect(out.shape).toEqual([]);
    expect(out.data[0]).toBeCloseTo(0.4, 15);
  });
  it('accumulates batches into one state', () => {
    const s = marginRankingLossPartial([0.8], [0.3], [1], { margin: 0.5 });
    marginRankingLossPartial([0.1], [0.4], [-1], { margin: 0.5 }, s);
    expect(finalize(s, 'mean')).toBeCloseTo(0.1, 15);
  });
});
