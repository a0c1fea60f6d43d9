import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

// torch's EPSILON reaches the float64 kernel as the float32 constant 1e-12.
const EPSILON = Math.fround(1e-12);

/**
 * Σ over `rows` rows of `dim` values each of the cosine embedding loss: with
 * cos = x1·x2 / √((|x1|² + ε)(|x2|² + ε)), `1 − cos` for y = 1, `max(0, cos − margin)` for y = −1,
 * 0 for any other label. Writes each row's loss to `out` when given.
 */
export function cosineEmbedding(
  x1: FloatArray,
  x2: FloatArray,
  y: FloatArray,
  rows: number,
  dim: number,
  margin: number,
  out: FloatArray | null,
): number {
  let s = 0;
  let c = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let dot = 0;
    let m1 = 0;
    let m2 = 0;
    for (let k = 0; k < dim; k++) {
      const a = x1[o + k]!;
      const b = x2[o + k]!;
      dot += a * b;
      m1 += a * a;
      m2 += b * b;
    }
    const cos = dot / Math.sqrt((m1 + EPSILON) * (m2 + EPSILON));
    const label = y[r]!;
    // Two masked terms added, as torch's where(target == 1, …) + where(target == −1, …).
    const v = (label === 1 ? 1 - cos : 0) + (label === -1 ? Math.max(cos - margin, 0) : 0);
    if (out !== null) out[r] = v;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}
