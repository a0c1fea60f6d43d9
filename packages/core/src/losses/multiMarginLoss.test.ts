import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { multiMarginLoss, multiMarginLossPartial } from './multiMarginLoss.js';

runGoldens('MultiMarginLoss', ([input, target], options) => multiMarginLoss(input!, target!, options));

describe('multiMarginLoss', () => {
  it('applies the weight after the power (spec §2.18: 0.4575, not 1.3725)', () => {
    const got = multiMarginLoss([[0.1, 0.2, 0.4, 0.8]], [3], { p: 2, weight: [1, 1, 1, 3] });
    expect(got).toBeCloseTo(0.4575, 15);
  });
  it('refuses a weight whose length is not C (1.13 read out of bounds)', () => {
    try {
      multiMarginLoss([[0.1, 0.2, 0.4]], [1], { weight: [1, 2] });
      expect.unreachable();
    } catch (e) {
      expect((e as LossError).code).toBe('SHAPE_MISMATCH');
      expect((e as LossError).argument).toBe('weight');
    }
    expect(() => multiMarginLoss([[0.1, 0.2]], [1], { weight: [[1, 2]] })).toThrow(/one-dimensional/);
  });
  it('names the row of an out-of-range target', () => {
    try {
      multiMarginLoss(
        [
          [0.1, 0.2],
          [0.3, 0.4],
        ],
        new BigInt64Array([1n, 2n]),
      );
      expect.unreachable();
    } catch (e) {
      expect((e as LossError).code).toBe('TARGET_OUT_OF_RANGE');
      expect((e as LossError).row).toBe(1);
    }
  });
  it("refuses 'mean' of zero samples but sums them to 0", () => {
    const x = { data: new Float64Array(0), shape: [0, 3] };
    expect(() => multiMarginLoss(x, new Int32Array(0))).toThrow(LossError);
    expect(multiMarginLoss(x, new Int32Array(0), { reduction: 'sum' })).toBe(0);
  });
  it('gives a 0-d result for a 0-d target', () => {
    const t = { data: new Int32Array([1]), shape: [] };
    expect(multiMarginLoss([0.5, 0.2, 0.9], t, { reduction: 'none' }).shape).toEqual([]);
  });
  it('accumulates batches into one state', () => {
    const s = multiMarginLossPartial([[0.1, 0.2, 0.4, 0.8]], [3], { margin: 0.5 });
    multiMarginLossPartial([[0.9, 0.2, 0.4, 0.8]], [1], { margin: 0.5 }, s);
    const all = multiMarginLoss(
      [
        [0.1, 0.2, 0.4, 0.8],
        [0.9, 0.2, 0.4, 0.8],
      ],
      [3, 1],
      { margin: 0.5 },
    );
    expect(finalize(s, 'mean')).toBeCloseTo(all, 15);
  });
});
