import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * Σ max(0, −y·(x1 − x2) + margin) over `n` elements (torch's order of operations), float64 with
 * compensation; writes each term to `out` when given.
 */
export function marginRanking(
  x1: FloatArray,
  x2: FloatArray,
  y: FloatArray,
  n: number,
  margin: number,
  out: FloatArray | null,
): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.max(-y[i]! * (x1[i]! - x2[i]!) + margin, 0);
    if (out !== null) out[i] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}
