import type { FloatArray } from '../tensor/tensor.js';

/**
 * ‖x[xo…xo+dim) − y[yo…yo+dim) + eps‖_p as torch's `pairwise_distance`: eps is added to every signed
 * difference, not to the norm. p = ∞ / −∞ take the max / min of |d|, p = 0 counts the non-zero d.
 */
export function lpDistance(
  x: FloatArray,
  xo: number,
  y: FloatArray,
  yo: number,
  dim: number,
  p: number,
  eps: number,
): number {
  if (p === 2) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const d = x[xo + k]! - y[yo + k]! + eps;
      s += d * d;
    }
    return Math.sqrt(s);
  }
  if (p === 1) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += Math.abs(x[xo + k]! - y[yo + k]! + eps);
    return s;
  }
  if (p === Number.POSITIVE_INFINITY || p === Number.NEGATIVE_INFINITY) {
    const max = p > 0;
    let m = max ? 0 : Number.POSITIVE_INFINITY;
    for (let k = 0; k < dim; k++) {
      const a = Math.abs(x[xo + k]! - y[yo + k]! + eps);
      m = max ? Math.max(m, a) : Math.min(m, a);
    }
    return m;
  }
  if (p === 0) {
    let n = 0;
    for (let k = 0; k < dim; k++) if (x[xo + k]! - y[yo + k]! + eps !== 0) n++;
    return n;
  }
  let s = 0;
  for (let k = 0; k < dim; k++) s += Math.abs(x[xo + k]! - y[yo + k]! + eps) ** p;
  return s ** (1 / p);
}

/** out[r] = {@link lpDistance} of row r of `x` and `y` (`rows × dim`, laid out alike). */
export function pairwiseDistances(
  x: FloatArray,
  y: FloatArray,
  rows: number,
  dim: number,
  p: number,
  eps: number,
  out: FloatArray,
): void {
  for (let r = 0; r < rows; r++) out[r] = lpDistance(x, r * dim, y, r * dim, dim, p, eps);
}

/**
 * out[r] = 1 − cosine similarity of row r of `x` and `y` as torch 2.x computes it: each row divided
 * by max(‖row‖, eps) first, then the dot product (so |cos| ≤ 1).
 */
export function cosineDistances(
  x: FloatArray,
  y: FloatArray,
  rows: number,
  dim: number,
  eps: number,
  out: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let nx = 0;
    let ny = 0;
    for (let k = 0; k < dim; k++) {
      nx += x[o + k]! * x[o + k]!;
      ny += y[o + k]! * y[o + k]!;
    }
    nx = Math.max(Math.sqrt(nx), eps);
    ny = Math.max(Math.sqrt(ny), eps);
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += (x[o + k]! / nx) * (y[o + k]! / ny);
    out[r] = 1 - dot;
  }
}
