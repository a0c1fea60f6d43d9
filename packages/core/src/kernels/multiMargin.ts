import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * Σ over `rows` samples of Σ_{i≠y} w[y]·max(0, margin − x[y] + x[i])^p / C (p ∈ {1, 2}; the weight
 * multiplies after the power, as torch's kernel does, whatever its docs say). Targets are read as
 * `idx[r·stride]` and already range-checked; `w` is null without a weight. Like torch, a NaN term
 * (`z > 0` false) adds nothing.
 */
export function multiMargin(
  x: FloatArray,
  idx: Int32Array,
  stride: number,
  rows: number,
  classes: number,
  p: 1 | 2,
  margin: number,
  w: FloatArray | null,
  out: FloatArray | null,
): number {
  let s = 0;
  let c = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const y = idx[r * stride]!;
    const xy = x[o + y]!;
    const wy = w === null ? 1 : w[y]!;
    let sum = 0;
    for (let i = 0; i < classes; i++) {
      if (i === y) continue;
      const z = margin - xy + x[o + i]!;
      if (z > 0) sum += (p === 1 ? z : z * z) * wy;
    }
    const v = sum / classes;
    if (out !== null) out[r] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}
