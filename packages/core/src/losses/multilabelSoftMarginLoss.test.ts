import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { multilabelSoftMarginLoss, multilabelSoftMarginLossPartial } from './multilabelSoftMarginLoss.js';

runGoldens('MultiLabelSoftMarginLoss', ([input, target], options) =>
  multilabelSoftMarginLoss(input!, target!, options),
);

describe('multilabelSoftMarginLoss', () => {
  it('refuses a 0-d input (torch: dimension -1 of a 0-d tensor)', () => {
    expect(() => multilabelSoftMarginLoss(tensor0(1), tensor0(1))).toThrow(LossError);
  });
  it('refuses a target or weight that would enlarge input', () => {
    expect(() =>
      multilabelSoftMarginLoss(
        [1, 2],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toThrow(LossError);
    expect(() => multilabelSoftMarginLoss([[1, 2]], [[1, 0]], { weight: [1, 2, 3] })).toThrow(LossError);
  });
  it('divides by C, not by the weight sum', () => {
    const plain = multilabelSoftMarginLoss([[0, 0]], [[1, 1]]);
    const weighted = multilabelSoftMarginLoss([[0, 0]], [[1, 1]], { weight: [2, 2] });
    expect(weighted).toBeCloseTo(2 * plain, 15);
    expect(plain).toBeCloseTo(Math.LN2, 15);
  });
  it('accumulates batches into one state', () => {
    const weight = [1, 0.5, 2];
    const s = multilabelSoftMarginLossPartial([[1, -2, 0.5]], [[1, 0, 1]], { weight });
    multilabelSoftMarginLossPartial([[0.3, 0.1, -4]], [[0, 0, 1]], { weight }, s);
    const all = multilabelSoftMarginLoss(
      [
        [1, -2, 0.5],
        [0.3, 0.1, -4],
      ],
      [
        [1, 0, 1],
        [0, 0, 1],
      ],
      { weight },
    );
    expect(finalize(s, 'mean')).toBeCloseTo(all, 15);
    expect(s.rows).toBe(2);
  });
});

function tensor0(v: number) {
  return { data: new Float64Array([v]), shape: [] };
}
