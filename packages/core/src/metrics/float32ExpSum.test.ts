import { describe, expect, it } from 'vitest';
import { expNonPositiveF32, float32ExpSumAt } from './float32ExpSum.js';

const ulp32 = (v: number): number => {
  const e = Math.max(Math.floor(Math.log2(Math.abs(v))), -126);
  return 2 ** (e - 23);
};

describe('expNonPositiveF32', () => {
  it('is within 2 ulp of float32 over [−87.3, 0] and a float32 value', () => {
    for (let i = 0; i <= 20000; i++) {
      const d = Math.fround(-87.3 * (i / 20000) ** 1.5);
      const got = expNonPositiveF32(d);
      expect(got).toBe(Math.fround(got));
      const want = Math.exp(d);
      expect(Math.abs(got - want), `e^${d}`).toBeLessThanOrEqual(2 * ulp32(want));
    }
    expect(expNonPositiveF32(0)).toBe(1);
    expect(expNonPositiveF32(-0)).toBe(1);
  });

  it('gives about the smallest normal float32 below −87.34 (−Infinity too) and NaN for NaN', () => {
    const floor = expNonPositiveF32(-87.34);
    expect(Math.abs(floor - 2 ** -126)).toBeLessThan(1e-5 * 2 ** -126);
    expect(expNonPositiveF32(-100)).toBe(floor);
    expect(expNonPositiveF32(Number.NEGATIVE_INFINITY)).toBe(floor);
    expect(expNonPositiveF32(Number.NaN)).toBeNaN();
  });
});

describe('float32ExpSumAt', () => {
  it('is the float64 softmax denominator within the float32 tolerance', () => {
    let s = 7;
    for (const classes of [1, 2, 7, 8, 9, 16, 100, 1000]) {
      const x = new Float32Array(classes);
      for (let c = 0; c < classes; c++) {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        x[c] = (s / 2 ** 31 - 0.5) * 30;
      }
      const max = x.reduce((a, b) => Math.max(a, b));
      let want = 0;
      for (const v of x) want += Math.exp(v - max);
      const got = float32ExpSumAt(x, 0, classes, 1, max);
      expect(Math.abs(got - want), `C = ${classes}`).toBeLessThanOrEqual(2e-6 * want + 1e-6);
    }
  });

  it('reads strided samples and is NaN for an infinite max', () => {
    const x = Float32Array.from([0, 9, -1, 9, 2, 9]);
    expect(float32ExpSumAt(x, 0, 3, 2, 2)).toBe(float32ExpSumAt(Float32Array.from([0, -1, 2]), 0, 3, 1, 2));
    expect(
      float32ExpSumAt(Float32Array.from([1, Number.POSITIVE_INFINITY]), 0, 2, 1, Number.POSITIVE_INFINITY),
    ).toBeNaN();
  });
});
