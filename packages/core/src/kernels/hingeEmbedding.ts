import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

// torch adds two masked terms, so a label that is neither 1 nor −1 gets both of them:
// [y ≠ 1]·max(0, margin − x) + [y ≠ −1]·x.
function hinge(x: number, y: number, margin: number): number {
  return (y !== 1 ? Math.max(margin - x, 0) : 0) + (y !== -1 ? x : 0);
}

/** Σ of the hinge embedding term over `n` elements, float64 with compensation. */
export function hingeEmbeddingSum(x: FloatArray, y: FloatArray, n: number, margin: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = hinge(x[i]!, y[i]!, margin);
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = the hinge embedding term of x[i], y[i]. */
export function hingeEmbeddingNone(x: FloatArray, y: FloatArray, out: FloatArray, margin: number): void {
  for (let i = 0; i < out.length; i++) out[i] = hinge(x[i]!, y[i]!, margin);
}
