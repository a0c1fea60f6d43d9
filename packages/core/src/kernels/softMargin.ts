import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

// torch evaluates log(1 + exp(−y·x)) literally (no log1p, no max-shift); so do we, so that the
// overflow to +Infinity and the lost digits of tiny terms match.

/** Σ log(1 + exp(−y·x)) over `n` elements, float64 with compensation. */
export function softMarginSum(x: FloatArray, y: FloatArray, n: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.log(1 + Math.exp(-y[i]! * x[i]!));
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = log(1 + exp(−y[i]·x[i])). */
export function softMarginNone(x: FloatArray, y: FloatArray, out: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.log(1 + Math.exp(-y[i]! * x[i]!));
}
