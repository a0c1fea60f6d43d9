import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';
import { lpDistance } from './distance.js';

/**
 * The triplet margin loss of `rows` triplets of `dim` values laid out alike, distances fused in:
 * Σ max(0, margin + d(a, p) − d(a, n)), with d(a, n) replaced by min(d(a, n), d(p, n)) when `swap`.
 * Writes each triplet's loss to `out` when given.
 */
export function tripletFused(
  a: FloatArray,
  pos: FloatArray,
  neg: FloatArray,
  rows: number,
  dim: number,
  margin: number,
  p: number,
  eps: number,
  swap: boolean,
  out: FloatArray | null,
): number {
  if (p === 2) return tripletL2(a, pos, neg, rows, dim, margin, eps, swap, out);
  let s = 0;
  let c = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const dPos = lpDistance(a, o, pos, o, dim, p, eps);
    let dNeg = lpDistance(a, o, neg, o, dim, p, eps);
    if (swap) dNeg = Math.min(dNeg, lpDistance(pos, o, neg, o, dim, p, eps));
    const v = Math.max(margin + dPos - dNeg, 0);
    if (out !== null) out[r] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

// The default p = 2 in one pass over the three rows (reading the anchor once); the same
// arithmetic as lpDistance's p = 2 branch, so the same results.
function tripletL2(
  a: FloatArray,
  pos: FloatArray,
  neg: FloatArray,
  rows: number,
  dim: number,
  margin: number,
  eps: number,
  swap: boolean,
  out: FloatArray | null,
): number {
  let s = 0;
  let c = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let sp = 0;
    let sn = 0;
    let ss = 0;
    for (let k = 0; k < dim; k++) {
      const x = a[o + k]!;
      const y = pos[o + k]!;
      const z = neg[o + k]!;
      const dp = x - y + eps;
      const dn = x - z + eps;
      sp += dp * dp;
      sn += dn * dn;
      if (swap) {
        const ds = y - z + eps;
        ss += ds * ds;
      }
    }
    const dNeg = swap ? Math.min(Math.sqrt(sn), Math.sqrt(ss)) : Math.sqrt(sn);
    const v = Math.max(margin + Math.sqrt(sp) - dNeg, 0);
    if (out !== null) out[r] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/**
 * The triplet margin loss from precomputed distances laid out alike (`dSwap` null without swap):
 * Σ max(0, margin + dPos − min(dNeg, dSwap)) over `n` triplets.
 */
export function tripletFromDistances(
  dPos: FloatArray,
  dNeg: FloatArray,
  dSwap: FloatArray | null,
  n: number,
  margin: number,
  out: FloatArray | null,
): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const dn = dSwap === null ? dNeg[i]! : Math.min(dNeg[i]!, dSwap[i]!);
    const v = Math.max(margin + dPos[i]! - dn, 0);
    if (out !== null) out[i] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}
