import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { BroadcastView } from '../tensor/operands.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Resolved options of binary cross-entropy: the (non-normalising) weight broadcast into the input. */
export interface BinaryCrossEntropyParams {
  readonly weight: BroadcastView;
}

function bce(x: number, y: number): number {
  // torch clamps each log at −100 so x = 0 or 1 gives a finite loss (at most 100 per unit of |y|).
  return (y - 1) * Math.max(Math.log(1 - x), -100) - y * Math.max(Math.log(x), -100);
}

/** Σ w·BCE over `n` elements, float64 with compensation. Inputs must already lie in [0, 1]. */
export function binaryCrossEntropySum(
  x: FloatArray,
  y: FloatArray,
  n: number,
  p: BinaryCrossEntropyParams,
): number {
  const { data: w, inner, period } = p.weight;
  let wk = 0;
  let wi = 0;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = bce(x[i]!, y[i]!) * w[wi]!;
    if (++wk === inner) {
      wk = 0;
      if (++wi === period) wi = 0;
    }
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = w·BCE of (x[i], y[i]). */
export function binaryCrossEntropyNone(
  x: FloatArray,
  y: FloatArray,
  out: FloatArray,
  p: BinaryCrossEntropyParams,
): void {
  const { data: w, inner, period } = p.weight;
  let wk = 0;
  let wi = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = bce(x[i]!, y[i]!) * w[wi]!;
    if (++wk === inner) {
      wk = 0;
      if (++wi === period) wi = 0;
    }
  }
}

/** Index of the first element outside [0, 1] (NaN included), or −1 when all are valid. */
export function firstOutsideUnitInterval(x: FloatArray): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= 0 && v <= 1)) return i;
  }
  return -1;
}
