import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Σ ½·(log max(v, eps) + (x − y)²/max(v, eps)) [+ ½·log 2π when `full`] over `n` elements of
 * operands already laid out in the loss's shape; writes each term to `out` when given.
 * `Math.max` keeps a NaN variance NaN, as torch's `clamp_` does.
 */
export function gaussianNll(
  x: FloatArray,
  y: FloatArray,
  v: FloatArray,
  n: number,
  eps: number,
  full: boolean,
  out: FloatArray | null,
): number {
  const constant = full ? HALF_LOG_2PI : 0;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const vi = Math.max(v[i]!, eps);
    const d = x[i]! - y[i]!;
    let l = 0.5 * (Math.log(vi) + (d * d) / vi);
    if (full) l += constant;
    if (out !== null) out[i] = l;
    const t = s + l;
    c += twoSumError(s, l, t);
    s = t;
  }
  return compensatedValue(s, c);
}
