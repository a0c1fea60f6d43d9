import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * Σ over `rows` samples of −(1/C)·Σ_c w·(y·logσ(x) + (1 − y)·logσ(−x)), with the accurate
 * logσ(x) = min(x, 0) − log1p(exp(−|x|)) torch uses; `w` is null without a weight. Operands are
 * laid out `rows × classes`; writes each sample's loss to `out` when given.
 */
export function multilabelSoftMargin(
  x: FloatArray,
  y: FloatArray,
  w: FloatArray | null,
  rows: number,
  classes: number,
  out: FloatArray | null,
): number {
  let s = 0;
  let c = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let row = 0;
    for (let k = 0; k < classes; k++) {
      const xi = x[o + k]!;
      const yi = y[o + k]!;
      const tail = Math.log1p(Math.exp(-Math.abs(xi)));
      let l = -(yi * (Math.min(xi, 0) - tail) + (1 - yi) * (Math.min(-xi, 0) - tail));
      if (w !== null) l *= w[o + k]!;
      row += l;
    }
    const v = row / classes;
    if (out !== null) out[r] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}
