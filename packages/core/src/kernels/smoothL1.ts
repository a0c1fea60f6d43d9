import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Resolved options of the smooth L1 loss: β ≥ 0, already in the input's float type. */
export interface SmoothL1Params {
  readonly beta: number;
}

function smoothL1(x: number, y: number, beta: number): number {
  const z = Math.abs(x - y);
  // β = 0 is exactly L1 (the quadratic branch would divide by zero); 0.5·z·z/β is torch's rounding order.
  if (beta === 0) return z;
  return z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
}

/** Σ smooth L1 loss over `n` elements, float64 with compensation. */
export function smoothL1Sum(x: FloatArray, y: FloatArray, n: number, p: SmoothL1Params): number {
  const beta = p.beta;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = smoothL1(x[i]!, y[i]!, beta);
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = smooth L1 loss of (x[i], y[i]). */
export function smoothL1None(x: FloatArray, y: FloatArray, out: FloatArray, p: SmoothL1Params): void {
  const beta = p.beta;
  for (let i = 0; i < out.length; i++) out[i] = smoothL1(x[i]!, y[i]!, beta);
}
