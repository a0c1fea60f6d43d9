import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { softMarginLoss, softMarginLossPartial } from './softMarginLoss.js';

runGoldens('SoftMarginLoss', ([input, target], options) => softMarginLoss(input!, target!, options));

describe('softMarginLoss', () => {
  // torch float64: F.soft_margin_loss(tensor([800.]), tensor([-1.])) = inf (exp overflows, no log1p).
  it('overflows to Infinity past −y·x ≈ 709.78 in float64, as torch', () => {
    expect(softMarginLoss([800], [-1])).toBe(Number.POSITIVE_INFINITY);
    expect(softMarginLoss([700], [-1])).toBeCloseTo(700, 10);
  });
  it('broadcasts target into input but never enlarges input', () => {
    expect(softMarginLoss([[1, 2, 3]], [1, 1, 1], { reduction: 'none' }).shape).toEqual([1, 3]);
    expect(() =>
      softMarginLoss(
        [1, 2, 3],
        [
          [1, 1, 1],
          [1, 1, 1],
        ],
      ),
    ).toThrow(LossError);
  });
  it('accumulates batches into one state', () => {
    const s = softMarginLossPartial([2, -1], [1, -1]);
    softMarginLossPartial([0.5], [-1], {}, s);
    expect(finalize(s, 'sum')).toBeCloseTo(
      softMarginLoss([2, -1, 0.5], [1, -1, -1], { reduction: 'sum' }),
      15,
    );
  });
});
