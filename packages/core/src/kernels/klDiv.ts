import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Resolved options of the KL divergence. */
export interface KlDivParams {
  readonly logTarget: boolean;
}

function klDiv(x: number, y: number, logTarget: boolean): number {
  if (logTarget) return Math.exp(y) * (y - x);
  // torch's xlogy(y, y) − y·x, not y·(log y − x): 0 where y = 0 (unless x is ±inf or NaN, as 0·x is then NaN).
  return (y === 0 ? 0 : y * Math.log(y)) - y * x;
}

/** Σ pointwise KL divergence over `n` elements, float64 with compensation. */
export function klDivSum(x: FloatArray, y: FloatArray, n: number, p: KlDivParams): number {
  const logTarget = p.logTarget;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = klDiv(x[i]!, y[i]!, logTarget);
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = pointwise KL divergence of (x[i], y[i]). */
export function klDivNone(x: FloatArray, y: FloatArray, out: FloatArray, p: KlDivParams): void {
  const logTarget = p.logTarget;
  for (let i = 0; i < out.length; i++) out[i] = klDiv(x[i]!, y[i]!, logTarget);
}
