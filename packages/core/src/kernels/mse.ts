import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Σ (x − y)² over `n` elements, float64 with compensation. */
export function mseSum(x: FloatArray, y: FloatArray, n: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - y[i]!;
    const v = d * d;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = (x[i] − y[i])². */
export function mseNone(x: FloatArray, y: FloatArray, out: FloatArray): void {
  for (let i = 0; i < out.length; i++) {
    const d = x[i]! - y[i]!;
    out[i] = d * d;
  }
}
