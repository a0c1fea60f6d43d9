// Cross-entropy / NLL in class-index mode over rows of C contiguous float32 values (input (N, C)
// or (C)): row max, log-sum-exp with the float32 SIMD exp (added in float32 pairs, then summed in
// float64), target gather, class weights, ignoreIndex and label smoothing, as torch's
// log_softmax + nll_loss compute them.

import { compensatedValue, twoSumError } from './compensatedSum';
import { addHigh, addLow, expNonPositiveF32x4 } from './vectorMath';

/**
 * The largest of `c` float32 values at `p`. f32x4.pmax is one instruction where f32x4.max is a
 * NaN-propagating sequence; a NaN it skips still reaches the loss through exp(x − m).
 */
@inline
export function rowMax(p: usize, c: i32): f32 {
  let m: f32 = -Infinity;
  let j = 0;
  if (c >= 4) {
    let m0 = v128.load(p);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    j = 4;
    for (; j + 16 <= c; j += 16) {
      const o = p + ((<usize>j) << 2);
      m0 = f32x4.pmax(m0, v128.load(o));
      m1 = f32x4.pmax(m1, v128.load(o, 16));
      m2 = f32x4.pmax(m2, v128.load(o, 32));
      m3 = f32x4.pmax(m3, v128.load(o, 48));
    }
    for (; j + 4 <= c; j += 4) m0 = f32x4.pmax(m0, v128.load(p + ((<usize>j) << 2)));
    // The lanes' max through two shuffles: scalar f32.max is a NaN-propagating branchy sequence.
    m0 = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
    m0 = f32x4.pmax(m0, v128.shuffle<f32>(m0, m0, 2, 3, 0, 1));
    m0 = f32x4.pmax(m0, v128.shuffle<f32>(m0, m0, 1, 0, 3, 2));
    m = f32x4.extract_lane(m0, 0);
  }
  for (; j < c; j++) m = max(m, load<f32>(p + ((<usize>j) << 2)));
  return m;
}

/** Σ e^(x − m) over `c` float32 values at `p`, m their max, accumulated in float64. */
@inline
function rowSumExp(p: usize, c: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let j = 0;
  // 32 logits per iteration (8 independent exps in flight) measured ~9% faster than 16; both loops
  // add the same pairs in the same order, so the sums do not depend on which loop ran.
  for (; j + 32 <= c; j += 32) {
    const o = p + ((<usize>j) << 2);
    const e0 = expNonPositiveF32x4(f32x4.sub(v128.load(o), mv));
    const e1 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 16), mv));
    const e2 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 32), mv));
    const e3 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 48), mv));
    const e4 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 64), mv));
    const e5 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 80), mv));
    const e6 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 96), mv));
    const e7 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 112), mv));
    const s01 = f32x4.add(e0, e1);
    const s23 = f32x4.add(e2, e3);
    const s45 = f32x4.add(e4, e5);
    const s67 = f32x4.add(e6, e7);
    a0 = addLow(addLow(a0, s01), s45);
    a1 = addHigh(addHigh(a1, s01), s45);
    a2 = addLow(addLow(a2, s23), s67);
    a3 = addHigh(addHigh(a3, s23), s67);
  }
  for (; j + 16 <= c; j += 16) {
    const o = p + ((<usize>j) << 2);
    const e0 = expNonPositiveF32x4(f32x4.sub(v128.load(o), mv));
    const e1 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 16), mv));
    const e2 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 32), mv));
    const e3 = expNonPositiveF32x4(f32x4.sub(v128.load(o, 48), mv));
    // Two terms ≤ 1 added in float32 (one rounding, ≤ 6e−8 relative) before the float64 sum.
    const s01 = f32x4.add(e0, e1);
    const s23 = f32x4.add(e2, e3);
    a0 = addLow(a0, s01);
    a1 = addHigh(a1, s01);
    a2 = addLow(a2, s23);
    a3 = addHigh(a3, s23);
  }
  for (; j + 4 <= c; j += 4) {
    const e0 = expNonPositiveF32x4(f32x4.sub(v128.load(p + ((<usize>j) << 2)), mv));
    a0 = addLow(a0, e0);
    a1 = addHigh(a1, e0);
  }
  a0 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  for (; j < c; j++) s += Math.exp(<f64>load<f32>(p + ((<usize>j) << 2)) - <f64>m);
  return s;
}

/** Σ w_c·(x_c − m) over the row (unweighted when `pw` is 0), float64: label smoothing's share. */
@inline
export function rowShiftedSum(p: usize, c: i32, pw: usize, m: f32): f64 {
  const mv = f64x2.splat(<f64>m);
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const o = p + ((<usize>j) << 2);
    let x0 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(o)), mv);
    let x1 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(o, 8)), mv);
    if (pw != 0) {
      const ow = pw + ((<usize>j) << 3);
      x0 = f64x2.mul(v128.load(ow), x0);
      x1 = f64x2.mul(v128.load(ow, 16), x1);
    }
    a0 = f64x2.add(a0, x0);
    a1 = f64x2.add(a1, x1);
  }
  a0 = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  for (; j < c; j++) {
    const e = <f64>load<f32>(p + ((<usize>j) << 2)) - <f64>m;
    s += pw != 0 ? load<f64>(pw + ((<usize>j) << 3)) * e : e;
  }
  return s;
}

/**
 * The loss of one row with target class `t`:
 * (1 − ε)·(−w_t·lp_t) + (ε/C)·(−Σ_c w_c·lp_c), lp = x − m − ln Σ e^(x − m) (lp = x for NLL).
 */
@inline
export function rowLoss(p: usize, c: i32, t: i32, pw: usize, wt: f64, wSum: f64, eps: f64, logSoftmax: bool): f64 {
  const xt = <f64>load<f32>(p + ((<usize>t) << 2));
  if (!logSoftmax) return -wt * xt;
  const m = rowMax(p, c);
  const lse = Math.log(rowSumExp(p, c, m));
  const nll = -wt * (xt - <f64>m - lse);
  if (eps == 0) return nll;
  // −Σ w_c·(x_c − m − lse) = −(Σ w_c·(x_c − m) − Σw·lse), in the JS kernel's order (C = 1 gives −0).
  const smooth = -(rowShiftedSum(p, c, pw, m) - wSum * lse);
  return (1 - eps) * nll + (eps / <f64>c) * smooth;
}

/**
 * Cross-entropy (`logSoftmax`) or NLL over `rows` rows of `c` float32 values at `px`, targets
 * int32 at `pt` every `tStride` words (2 reads BigInt64 low words). `pw`: C float64 class weights
 * or 0; `wSum` their sum; ε the label smoothing. Writes Σ loss and Σ w[target] of the rows not
 * ignored to float64 `pres[0]`, `pres[1]`; with `pout` ≠ 0 also each row's float32 loss there
 * (0 for ignored rows). Returns −1, or the first row whose target is neither in [0, C) nor
 * ignoreIndex (its value at `pres[2]`), leaving the sums unset.
 */
export function classIndexLoss(
  px: usize,
  pt: usize,
  tStride: i32,
  rows: i32,
  c: i32,
  pw: usize,
  wSum: f64,
  ignoreIndex: f64,
  eps: f64,
  logSoftmax: bool,
  pout: usize,
  pres: usize,
): i32 {
  let s = 0.0;
  let sc = 0.0;
  let ws = 0.0;
  let wc = 0.0;
  const rowBytes = (<usize>c) << 2;
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(pt + ((<usize>(r * tStride)) << 2));
    let v = 0.0;
    if (<f64>t != ignoreIndex) {
      if (t < 0 || t >= c) {
        store<f64>(pres, <f64>t, 16);
        return r;
      }
      const wt = pw != 0 ? load<f64>(pw + ((<usize>t) << 3)) : 1.0;
      v = rowLoss(px + <usize>r * rowBytes, c, t, pw, wt, wSum, eps, logSoftmax);
      let u = s + v;
      sc += twoSumError(s, v, u);
      s = u;
      u = ws + wt;
      wc += twoSumError(ws, wt, u);
      ws = u;
    }
    if (pout != 0) store<f32>(pout + ((<usize>r) << 2), <f32>v);
  }
  store<f64>(pres, compensatedValue(s, sc));
  store<f64>(pres, compensatedValue(ws, wc), 8);
  return -1;
}
