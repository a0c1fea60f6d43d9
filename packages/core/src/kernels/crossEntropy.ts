import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';
import { expNonPositive } from './exp.js';

/**
 * Cross-entropy with class-index targets over `outer × inner` samples of `classes` logits each (logit
 * `(n, c, k)` at `(n·classes + c)·inner + k`), label smoothing `eps` included:
 * `L = (1 − ε)·(−w[y]·lp[y]) + (ε/C)·(−Σ_c w[c]·lp[c])` with `lp = log_softmax(x)`.
 * Writes Σ L to `acc[0]` and the `'mean'` denominator Σ w[y] to `acc[1]` over non-ignored samples,
 * and each sample's L to `out` when given (ignored samples stay 0). `wSum` is Σ_c w[c] (C without
 * weights). Targets must already be valid; `idx` is read every `stride` words.
 *
 * Each sample's logits are read in place, never copied. Without smoothing one pass finds the max,
 * the max-shifted Σ exp and the target's logit; with smoothing a max pass comes first so that
 * Σ w·(x − max) is taken against the final max. The max shift keeps ±1000 logits finite.
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
      const stop = base + block;
      const wt = w === null ? 1 : w[t]!;
      let l: number;
      if (eps === 0) {
        // One pass: a running max m with Σ exp(x − m) rescaled whenever m grows (about ln C times a row).
        let m = Number.NEGATIVE_INFINITY;
        let se = 0;
        for (let j = base; j < stop; j += inner) {
          const v = x[j]!;
          if (v > m) {
            se = se * expNonPositive(m - v) + 1;
            m = v;
          } else if (v !== Number.NEGATIVE_INFINITY) se += expNonPositive(v - m); // −inf adds exp(−inf) = 0; NaN poisons
        }
        // torch's x − max is inf − inf = NaN for a +inf logit, which poisons the whole row.
        if (m === Number.POSITIVE_INFINITY) se = Number.NaN;
        l = -wt * (x[base + t * inner]! - m - Math.log(se));
      } else {
        // Two passes, so Σ w·(x − m) is taken against the final max (no cancellation for large logits).
        let m = Number.NEGATIVE_INFINITY;
        for (let j = base; j < stop; j += inner) {
          const v = x[j]!;
          if (v > m) m = v;
        }
        let se = 0;
        let sw = 0;
        if (w === null) {
          for (let j = base; j < stop; j += inner) {
            const e = x[j]! - m;
            se += expNonPositive(e);
            sw += e;
          }
        } else {
          for (let c = 0, j = base; j < stop; c++, j += inner) {
            const e = x[j]! - m;
            se += expNonPositive(e);
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
      for (let j = base; j < stop; j += inner) se += expNonPositive(x[j]! - m);
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
