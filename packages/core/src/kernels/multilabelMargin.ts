import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * Σ over `rows` samples of Σ_{j∈J} Σ_{k∉J} max(0, 1 − (x[j] − x[k])) / C, where the label set J is
 * the prefix of the target row before its first negative entry (duplicates count twice). Targets
 * are read as `idx[i·stride]` (see IndexView) and already range-checked; `isTarget` is scratch of
 * `classes` bytes. Like torch, a NaN term (`z > 0` false) adds nothing.
 */
export function multilabelMargin(
  x: FloatArray,
  idx: Int32Array,
  stride: number,
  rows: number,
  classes: number,
  isTarget: Uint8Array,
  out: FloatArray | null,
): number {
  let s = 0;
  let c = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    isTarget.fill(0);
    for (let k = 0; k < classes; k++) {
      const j = idx[(o + k) * stride]!;
      if (j < 0) break;
      isTarget[j] = 1;
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const j = idx[(o + k) * stride]!;
      if (j < 0) break;
      const xj = x[o + j]!;
      for (let d = 0; d < classes; d++) {
        if (isTarget[d] === 0) {
          const z = 1 - xj + x[o + d]!;
          if (z > 0) sum += z;
        }
      }
    }
    const v = sum / classes;
    if (out !== null) out[r] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}
