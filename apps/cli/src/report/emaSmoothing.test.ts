import { describe, expect, it } from 'vitest';
import { emaSmoothing } from './emaSmoothing.js';

describe('emaSmoothing', () => {
  it('is the debiased moving average TensorBoard draws', () => {
    const [a, b, c] = emaSmoothing([1, 0, 1], 0.5);
    expect(a).toBe(1);
    // (0.5·0.5·1 + 0.5·0) / (1 − 0.25) and ((0.25·0.5) + 0.5) / (1 − 0.125)
    expect(b).toBeCloseTo(1 / 3, 15);
    expect(c).toBeCloseTo(0.625 / 0.875, 15);
  });

  it('weight 0 leaves the values as they are; non-finite values pass through and are not averaged', () => {
    expect(emaSmoothing([3, 1, 2], 0)).toEqual([3, 1, 2]);
    const out = emaSmoothing([2, Number.NaN, 2], 0.9);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(2, 12);
  });
});
