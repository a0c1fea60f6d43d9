import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Σ |x − y| over `n` elements, float64 with compensation. */
export function l1Sum(x: FloatArray, y: FloatArray, n: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(x[i]! - y[i]!);
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = |x[i] − y[i]|. */
export function l1None(x: FloatArray, y: FloatArray, out: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(x[i]! - y[i]!);
}
