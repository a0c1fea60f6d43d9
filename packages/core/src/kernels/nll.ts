import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * Negative log-likelihood over `outer × inner` samples of `classes` scores each (logit `(n, c, k)` at
 * `(n·classes + c)·inner + k`): writes Σ −w[y]·x[y] to `acc[0]` and the `'mean'` denominator
 * Σ w[y] to `acc[1]`, both over non-ignored samples, and each sample's loss to `out` when given
 * (ignored samples stay 0). Targets must already be valid; `idx` is read every `stride` words.
 */
export function nllKernel(
  x: FloatArray,
  outer: number,
  classes: number,
  inner: number,
  idx: Int32Array,
  stride: number,
  w: FloatArray | null,
  ignoreIndex: number,
  out: FloatArray | null,
  acc: Float64Array,
): void {
  let s = 0;
  let sc = 0;
  let d = 0;
  let dc = 0;
  let p = 0;
  const block = classes * inner;
  for (let n = 0; n < outer; n++) {
    const base = n * block;
    for (let k = 0; k < inner; k++, p++) {
      const t = idx[p * stride]!;
      if (t === ignoreIndex) continue;
      const wt = w === null ? 1 : w[t]!;
      const l = -wt * x[base + t * inner + k]!;
      if (out !== null) out[p] = l;
      let u = s + l;
      sc += twoSumError(s, l, u);
      s = u;
      u = d + wt;
      dc += twoSumError(d, wt, u);
      d = u;
    }
  }
  acc[0] = compensatedValue(s, sc);
  acc[1] = compensatedValue(d, dc);
}
