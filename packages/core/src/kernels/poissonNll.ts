import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Resolved options of the Poisson negative log-likelihood. */
export interface PoissonNllParams {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

function poissonNll(x: number, y: number, logInput: boolean, full: boolean, eps: number): number {
  let l = logInput ? Math.exp(x) - y * x : x - y * Math.log(x + eps);
  // torch adds Stirling's approximation of log(y!) only where y > 1 (it is ≈ 0 below, and log(y) < 0 there).
  if (full && y > 1) l += y * Math.log(y) - y + 0.5 * (LOG_2PI + Math.log(y));
  return l;
}

/** Σ Poisson NLL over `n` elements, float64 with compensation. */
export function poissonNllSum(x: FloatArray, y: FloatArray, n: number, p: PoissonNllParams): number {
  const { logInput, full, eps } = p;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = poissonNll(x[i]!, y[i]!, logInput, full, eps);
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = Poisson NLL of (x[i], y[i]). */
export function poissonNllNone(x: FloatArray, y: FloatArray, out: FloatArray, p: PoissonNllParams): void {
  const { logInput, full, eps } = p;
  for (let i = 0; i < out.length; i++) out[i] = poissonNll(x[i]!, y[i]!, logInput, full, eps);
}
