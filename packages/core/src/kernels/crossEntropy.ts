import { compensatedValue, twoSumError } from '../compensatedSum.js';
import type { FloatArray } from '../tensor.js';

/**
 * Cross-entropy with class-index targets over `outer × inner` samples of `classes` logits each (logit
 * `(n, c, k)` at `(n·classes + c)·inner + k`), label smoothing `eps` included:
 * `L = (1 − ε)·(−w[y]·lp[y]) + (ε/C)·(−Σ_c w[c]·lp[c])` with `lp = log_softmax(x)`.
 * Writes Σ L to `acc[0]` and the `'mean'` denominator Σ w[y] to `acc[1]` over non-ignored samples,
 * and each sample's L to `out` when given (ignored samples stay 0). `wSum` is Σ_c w[c] (C without
 * weights). Targets must already be valid; `idx` is read every `stride` words.
 *
 * One sample's logits are read twice from cache (max, then exp-sum), never copied: the max shift
 * keeps ±1000 logits finite, and the smoothing sum Σ w·(x − max) rides along the exp loop.
 */
export function crossEntropyIndexKernel(
  x: FloatArray,
  outer: number,
  classes: number,
  inner: number,
  idx: Int32Array,
  stride: number,
  w: FloatArray | null,
  wSum: number,
  ignoreIndex: number,
  eps: number,
  out: FloatArray | null,
  acc: Float64Array,
): void {
  const keep = 1 - eps;
  const share = eps / classes;
  const block = classes * inner;
  const end = classes * inner;
  let s = 0;
  let sc = 0;
  let d = 0;
  let dc = 0;
  let p = 0;
  for (let n = 0; n < outer; n++) {
    const rowBase = n * block;
    for (let k = 0; k < inner; k++, p++) {
      const t = idx[p * stride]!;
      if (t === ignoreIndex) continue;
      const base = rowBase + k;
      const stop = base + end;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = base; j < stop; j += inner) {
        const v = x[j]!;
        if (v > m) m = v;
      }
      // NaN logits and +inf or all −inf rows turn `x − m` into NaN below, as torch's log_softmax does.
      let se = 0;
      let l: number;
      const wt = w === null ? 1 : w[t]!;
      if (eps === 0) {
        for (let j = base; j < stop; j += inner) se += Math.exp(x[j]! - m);
        l = -wt * (x[base + t * inner]! - m - Math.log(se));
      } else {
        let sw = 0;
        if (w === null) {
          for (let j = base; j < stop; j += inner) {
            const e = x[j]! - m;
            se += Math.exp(e);
            sw += e;
          }
        } else {
          for (let c = 0, j = base; j < stop; c++, j += inner) {
            const e = x[j]! - m;
            se += Math.exp(e);
            sw += w[c]! * e;
          }
        }
        const lse = Math.log(se);
        // −Σ w·lp = −(Σ w·(x − m) − W·lse): two terms of one sign, so no cancellation.
        const smooth = -(sw - wSum * lse);
        l = keep * (-wt * (x[base + t * inner]! - m - lse)) + share * smooth;
      }
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

/**
 * Cross-entropy with class-probability targets `t` (laid out like `x`) over `outer × inner` samples:
 * `L = −Σ_c w[c]·t'[c]·lp[c]`, `t' = (1 − ε)·t + ε/C`. Writes Σ L to `acc[0]` and the sample count
 * (the `'mean'` denominator, whatever the weights) to `acc[1]`, and each L to `out` when given.
 */
export function crossEntropyProbabilityKernel(
  x: FloatArray,
  t: FloatArray,
  outer: number,
  classes: number,
  inner: number,
  w: FloatArray | null,
  eps: number,
  out: FloatArray | null,
  acc: Float64Array,
): void {
  const keep = 1 - eps;
  const share = eps / classes;
  const end = classes * inner;
  let s = 0;
  let sc = 0;
  let p = 0;
  for (let n = 0; n < outer; n++) {
    const rowBase = n * end;
    for (let k = 0; k < inner; k++, p++) {
      const base = rowBase + k;
      const stop = base + end;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = base; j < stop; j += inner) {
        const v = x[j]!;
        if (v > m) m = v;
      }
      let se = 0;
      for (let j = base; j < stop; j += inner) se += Math.exp(x[j]! - m);
      const lse = Math.log(se);
      let dot = 0;
      for (let c = 0, j = base; j < stop; c++, j += inner) {
        const tc = eps === 0 ? t[j]! : keep * t[j]! + share;
        dot += (w === null ? tc : w[c]! * tc) * (x[j]! - m - lse);
      }
      const l = -dot;
      if (out !== null) out[p] = l;
      const u = s + l;
      sc += twoSumError(s, l, u);
      s = u;
    }
  }
  acc[0] = compensatedValue(s, sc);
  acc[1] = outer * inner;
}
