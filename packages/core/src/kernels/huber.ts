import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Resolved options of the Huber loss: δ > 0, already in the input's float type. */
export interface HuberParams {
  readonly delta: number;
}

function huber(x: number, y: number, delta: number): number {
  const z = Math.abs(x - y);
  // Written as torch writes it (0.5·z·z, δ·(z − 0.5·δ)); at z = δ the linear branch is taken.
  return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
}

/** Σ Huber loss over `n` elements, float64 with compensation. */
export function huberSum(x: FloatArray, y: FloatArray, n: number, p: HuberParams): number {
  const delta = p.delta;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = huber(x[i]!, y[i]!, delta);
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = Huber loss of (x[i], y[i]). */
export function huberNone(x: FloatArray, y: FloatArray, out: FloatArray, p: HuberParams): void {
  const delta = p.delta;
  for (let i = 0; i < out.length; i++) out[i] = huber(x[i]!, y[i]!, delta);
}
