// BCE-with-logits in torch 2.x's log_sigmoid form, with `weight` and `pos_weight` broadcast into
// the input as src/tensor/operands.ts's BroadcastView describes them (element i uses
// w[floor(i / inner) % period]). The driver splits the elements into segments over which each
// weight is either one constant (inner > 1) or a contiguous run of the weight array (inner = 1),
// so the SIMD loop never divides.

import { compensatedValue, foldSums, twoSumError, twoSumError2 } from './compensatedSum';
import { minF64x2 } from './relaxedOps';
import { expF64x2, log1pF64x2 } from './vectorMath';

/** One element pair's loss: ((1 − y)·x − lw·logσ(x))·w, logσ(x) = min(x, 0) − log1p(e^−|x|). */
@inline
function bceLane(x: v128, y: v128, w: v128, pw: v128, hasPosWeight: bool): v128 {
  const one = f64x2.splat(1);
  // Relaxed min may differ only for NaN x (then (1 − y)·x is NaN anyway) and ±0 (then ls = −ln 2).
  let ls = f64x2.sub(minF64x2(x, f64x2.splat(0)), log1pF64x2(expF64x2(f64x2.neg(f64x2.abs(x)))));
  // Without pos_weight torch leaves log σ unscaled, so lw = 1 exactly even where y is ±inf.
  // Not fused: (1 − y)·x − lw·ls can cancel for targets far outside [0, 1], and any rounding of lw
  // that differs from the reference's would be amplified there.
  if (hasPosWeight) ls = f64x2.mul(ls, f64x2.add(f64x2.mul(f64x2.sub(pw, one), y), one));
  return f64x2.mul(f64x2.sub(f64x2.mul(f64x2.sub(one, y), x), ls), w);
}

@inline
function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

@inline
function load1(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_zero(p));
}

/**
 * The loss of `len` elements whose weights start at `pw` (float64; one constant when `wConst`)
 * and pos_weights at `ppw`: their compensated sum, or, when `pout` is not 0, the float32 values
 * written there (and 0 returned).
 */
@inline
function segment(
  px: usize,
  py: usize,
  pout: usize,
  len: i32,
  pw: usize,
  wConst: bool,
  ppw: usize,
  pConst: bool,
  hasPosWeight: bool,
): f64 {
  let w = f64x2.splat(load<f64>(pw));
  let p = hasPosWeight ? f64x2.splat(load<f64>(ppw)) : f64x2.splat(1);
  let s0 = f64x2.splat(0);
  let c0 = s0;
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = (<usize>i) << 2;
    if (!wConst) w = v128.load(pw + (o << 1));
    if (hasPosWeight && !pConst) p = v128.load(ppw + (o << 1));
    const v = bceLane(load2(px + o), load2(py + o), w, p, hasPosWeight);
    if (pout != 0) {
      v128.store64_lane(pout + o, f32x4.demote_f64x2_zero(v), 0);
    } else {
      c0 = twoSumError2(s0, v, c0);
      s0 = f64x2.add(s0, v);
    }
  }
  let tail = 0.0;
  if (i < len) {
    const o = (<usize>i) << 2;
    if (!wConst) w = f64x2.splat(load<f64>(pw + (o << 1)));
    if (hasPosWeight && !pConst) p = f64x2.splat(load<f64>(ppw + (o << 1)));
    tail = f64x2.extract_lane(bceLane(load1(px + o), load1(py + o), w, p, hasPosWeight), 0);
    if (pout != 0) store<f32>(pout + o, <f32>tail);
  }
  const zero = f64x2.splat(0);
  return foldSums(s0, c0, zero, zero, tail, 0);
}

/**
 * Σ BCE-with-logits over `n` float32 elements (or, with `pout` ≠ 0, the per-element float32
 * values). `pw`/`ppw` point to float64 weight / pos_weight values; (inner, period) is each one's
 * broadcast pattern and (k, j) where element 0 falls in it (k < inner, j < period). A weight that
 * is one constant comes as inner = 2^31 − 1, period = 1.
 */
export function binaryCrossEntropyWithLogits(
  px: usize,
  py: usize,
  pout: usize,
  n: i32,
  pw: usize,
  wInner: i32,
  wPeriod: i32,
  wk: i32,
  wj: i32,
  ppw: usize,
  pInner: i32,
  pPeriod: i32,
  pk: i32,
  pj: i32,
  hasPosWeight: bool,
): f64 {
  let s = 0.0;
  let c = 0.0;
  let i = 0;
  while (i < n) {
    let len = n - i;
    const wLeft = wInner == 1 ? wPeriod - wj : wInner - wk;
    if (wLeft < len) len = wLeft;
    if (hasPosWeight) {
      const pLeft = pInner == 1 ? pPeriod - pj : pInner - pk;
      if (pLeft < len) len = pLeft;
    }
    const o = (<usize>i) << 2;
    const v = segment(
      px + o,
      py + o,
      pout == 0 ? 0 : pout + o,
      len,
      pw + ((<usize>wj) << 3),
      wInner != 1,
      ppw + ((<usize>pj) << 3),
      pInner != 1,
      hasPosWeight,
    );
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
    i += len;
    if (wInner == 1) {
      wj += len;
      if (wj == wPeriod) wj = 0;
    } else {
      wk += len;
      if (wk == wInner) {
        wk = 0;
        if (++wj == wPeriod) wj = 0;
      }
    }
    if (pInner == 1) {
      pj += len;
      if (pj == pPeriod) pj = 0;
    } else {
      pk += len;
      if (pk == pInner) {
        pk = 0;
        if (++pj == pPeriod) pj = 0;
      }
    }
  }
  return compensatedValue(s, c);
}
