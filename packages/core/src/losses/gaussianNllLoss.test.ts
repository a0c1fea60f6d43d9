import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { gaussianNllLoss, gaussianNllLossPartial } from './gaussianNllLoss.js';

runGoldens('GaussianNLLLoss', ([input, target, variance], options) =>
  gaussianNllLoss(input!, target!, variance!, options),
);

describe('gaussianNllLoss', () => {
  // torch 2.x: F.gaussian_nll_loss(x, y, 0.5) == F.gaussian_nll_loss(x, y, full_like(x, 0.5)).
  it('takes a plain number var as a full tensor of it', () => {
    const x = [
      [0.5, 2],
      [1, -1],
    ];
    const y = [
      [1, 1],
      [0, 0],
    ];
    const v = [
      [0.5, 0.5],
      [0.5, 0.5],
    ];
    expect(gaussianNllLoss(x, y, 0.5)).toBe(gaussianNllLoss(x, y, v));
    expect(gaussianNllLoss(x, y, 0.5, { reduction: 'none' }).shape).toEqual([2, 2]);
  });
  it('rounds a number var to float32 for float32 inputs, as ones_like(input) * var does', () => {
    const x = new Float32Array([0.5, 2]);
    const y = new Float32Array([1, 1]);
    const viaNumber = gaussianNllLoss(x, y, 0.1, { reduction: 'none' });
    const viaTensor = gaussianNllLoss(x, y, new Float32Array([0.1, 0.1]), { reduction: 'none' });
    expect(viaNumber.data).toBeInstanceOf(Float32Array);
    expect(Array.from(viaNumber.data)).toEqual(Array.from(viaTensor.data));
  });
  it("accepts torch 2.x's relaxed var shape: one size-1 dimension anywhere", () => {
    const x = { data: new Float64Array(12).map((_, i) => i / 4), shape: [2, 3, 2] };
    const y = { data: new Float64Array(12), shape: [2, 3, 2] };
    const v = { data: new Float64Array([0.5, 1, 2, 4]), shape: [2, 1, 2] };
    const got = gaussianNllLoss(x, y, v, { reduction: 'none' });
    expect(got.shape).toEqual([2, 3, 2]);
    // element (0, 1, 1): x = 3/4, var = v[0, 0, 1] = 1
    expect(got.data[3]).toBeCloseTo(0.5 * (0 + 0.75 ** 2 / 1), 15);
    expect(() => gaussianNllLoss(x, y, { data: new Float64Array(2), shape: [2, 1, 1] })).toThrow(LossError);
  });
  it('checks the sign of var before its shape (torch 2.x order)', () => {
    try {
      gaussianNllLoss([1, 2, 3], [1, 2, 3], [-1, 1]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LossError);
      expect((e as LossError).code).toBe('INVALID_VALUE');
    }
    expect(() => gaussianNllLoss([1, 2, 3], [1, 2, 3], -0.5)).toThrow(/negative/);
  });
  it('lets a NaN var through the sign check and yields NaN, as torch', () => {
    expect(gaussianNllLoss([1], [0], [Number.NaN])).toBeNaN();
  });
  it('rejects a 0-d var tensor for a 2-d input but accepts it for a 1-d one', () => {
    const zeroD = { data: new Float64Array([2]), shape: [] };
    expect(() => gaussianNllLoss([[1, 2]], [[0, 0]], zeroD)).toThrow(LossError);
    expect(gaussianNllLoss([1, 2], [0, 0], zeroD)).toBeCloseTo(gaussianNllLoss([1, 2], [0, 0], 2), 15);
  });
  it('accumulates batches into one state', () => {
    const s = gaussianNllLossPartial([0.5, 2], [1, 1], [1, 4], { full: true });
    gaussianNllLossPartial([3], [1], [0.25], { full: true }, s);
    const all = gaussianNllLoss([0.5, 2, 3], [1, 1, 1], [1, 4, 0.25], { full: true });
    expect(finalize(s, 'mean')).toBeCloseTo(all, 14);
  });
});
