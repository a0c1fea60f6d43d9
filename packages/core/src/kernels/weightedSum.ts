import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Σ w·l and Σ w, float64 with compensation, written to `out[0]` and `out[1]`. */
export function weightedSum(l: FloatArray, w: FloatArray, out: Float64Array): void {
  let s = 0;
  let c = 0;
  let ws = 0;
  let wc = 0;
  for (let i = 0; i < l.length; i++) {
    const wi = w[i]!;
    const v = wi * l[i]!;
    let t = s + v;
    c += twoSumError(s, v, t);
    s = t;
    t = ws + wi;
    wc += twoSumError(ws, wi, t);
    ws = t;
  }
  out[0] = compensatedValue(s, c);
  out[1] = compensatedValue(ws, wc);
}
