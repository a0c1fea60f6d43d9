import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { multilabelMarginLoss, multilabelMarginLossPartial } from './multilabelMarginLoss.js';

runGoldens('MultiLabelMarginLoss', ([input, target], options) =>
  multilabelMarginLoss(input!, target!, options),
);

describe('multilabelMarginLoss', () => {
  it('counts a duplicated label twice (spec §2.17: 0.65 vs 0.325)', () => {
    const x = [[0.1, 0.2, 0.4, 0.8]];
    expect(multilabelMarginLoss(x, [[3, 3, -1, 1]])).toBeCloseTo(0.65, 15);
    expect(multilabelMarginLoss(x, [[3, -1, 0, 0]])).toBeCloseTo(0.325, 15);
  });
  it('refuses any slot outside [−1, C), also after the −1 terminator', () => {
    try {
      multilabelMarginLoss([0.1, 0.2, 0.4], new BigInt64Array([0n, -1n, 3n]));
      expect.unreachable();
    } catch (e) {
      expect((e as LossError).code).toBe('TARGET_OUT_OF_RANGE');
    }
  });
  it("refuses 'mean' of zero samples (undefined in torch) but sums them to 0", () => {
    const x = { data: new Float64Array(0), shape: [0, 3] };
    const t = { data: new Int32Array(0), shape: [0, 3] };
    expect(() => multilabelMarginLoss(x, t)).toThrow(LossError);
    expect(multilabelMarginLoss(x, t, { reduction: 'sum' })).toBe(0);
    expect(multilabelMarginLoss(x, t, { reduction: 'none' }).shape).toEqual([0]);
  });
  it('accumulates batches into one state', () => {
    const s = multilabelMarginLossPartial([[0.1, 0.2, 0.4, 0.8]], [[3, 0, -1, 1]]);
    multilabelMarginLossPartial([[1, 0, 0, 0]], [[-1, 0, 0, 0]], {}, s);
    expect(finalize(s, 'mean')).toBeCloseTo(0.85 / 2, 15);
  });
});
