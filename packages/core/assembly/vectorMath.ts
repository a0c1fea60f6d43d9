// Vectorised exp and log. The cross-entropy hot loop uses a float32 exp (four lanes, within 2 ulp
// of float32, which is what float32 logits carry); BCE-with-logits and KL use float64 lanes,
// since their terms can cancel and they are not the throughput-critical path. Multiply-adds go
// through assembly/relaxedOps.ts, which fuses them in the relaxed-SIMD module only.

import {
  addProductF64x2,
  maddF32x4,
  maddF64x2,
  maxF64x2,
  minF64x2,
  nmaddF32x4,
  nmaddF64x2,
  truncF64x2ToI32x4,
} from './relaxedOps';

/**
 * e^x per f32 lane for x ≤ 0 (as Cephes `expf`: n = round(x·log2 e), a degree-6 polynomial in
 * the reduced argument, then 2^n through the exponent bits). Lanes below −87.33 (where e^x leaves the
 * normal float32 range) give e^−87.33 ≈ 1.2e−38, the smallest normal float32: one `pmax` instead of
 * a compare and a select, and a sum with a term ≥ 1 (a row's max) cannot tell it from 0. NaN stays
 * NaN (pmax keeps its first operand unless it is less than the second). n is rounded by adding
 * 1.5·2^23, which also leaves n in the low mantissa bits (cheaper than f32x4.nearest plus a
 * saturating conversion).
 */
@inline
export function expNonPositiveF32x4(v: v128): v128 {
  const x = f32x4.pmax(v, f32x4.splat(-87.33654));
  const magic = f32x4.splat(12582912.0);
  const t = maddF32x4(x, f32x4.splat(1.44269504088896341), magic);
  const n = f32x4.sub(t, magic);
  // ln 2 split in two so that n·ln2Hi is exact.
  let r = nmaddF32x4(n, f32x4.splat(0.693359375), x);
  r = nmaddF32x4(n, f32x4.splat(-2.12194440e-4), r);
  // 1 + r + r²·P(r), P of degree 4 fitted for relative error on |r| ≤ ln2/2
  // (scripts/fit-expf.py): ≤ 0.8 ulp of float32 there, as Cephes' degree 5, one multiply-add less.
  let p = maddF32x4(f32x4.splat(1.3814549893140793e-3), r, f32x4.splat(8.368690498173237e-3));
  p = maddF32x4(p, r, f32x4.splat(4.166838526725769e-2));
  p = maddF32x4(p, r, f32x4.splat(1.666652113199234e-1));
  p = maddF32x4(p, r, f32x4.splat(4.999999403953552e-1));
  const y = f32x4.add(maddF32x4(p, f32x4.mul(r, r), r), f32x4.splat(1));
  // bits(t) = bits(1.5·2^23) + n, whose high bits the shift discards: 2^n's exponent field.
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/**
 * {@link expNonPositiveF32x4} without fused multiply-adds in either module: the same bits from the
 * default and the relaxed-SIMD build, and from src/metrics/float32ExpSum.ts's JS twin (which the
 * classification metrics need, their values not depending on the kernel backend).
 */
@inline
export function expNonPositiveF32x4Exact(v: v128): v128 {
  const x = f32x4.pmax(v, f32x4.splat(-87.33654));
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(1.3814549893140793e-3), r), f32x4.splat(8.368690498173237e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.166838526725769e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.666652113199234e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.999999403953552e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/**
 * e^x per f64 lane, to about 1e-13 relative: n = round(x·log2 e) clamped to the normal exponent
 * range, a degree-10 Taylor polynomial on |r| ≤ ln2/2, then 2^n through the exponent bits. Lanes
 * above 709.78 give +Infinity, below −708.39 (subnormal results) give 0; NaN stays NaN.
 */
@inline
export function expF64x2(x: v128): v128 {
  let n = f64x2.nearest(f64x2.mul(x, f64x2.splat(1.4426950408889634)));
  n = minF64x2(maxF64x2(n, f64x2.splat(-1022)), f64x2.splat(1023));
  // fdlibm's split of ln 2: n·ln2Hi is exact for |n| < 2^20.
  let r = nmaddF64x2(n, f64x2.splat(6.93147180369123816490e-1), x);
  r = nmaddF64x2(n, f64x2.splat(1.90821492927058770002e-10), r);
  let p = maddF64x2(f64x2.splat(1.0 / 3628800.0), r, f64x2.splat(1.0 / 362880.0));
  p = maddF64x2(p, r, f64x2.splat(1.0 / 40320.0));
  p = maddF64x2(p, r, f64x2.splat(1.0 / 5040.0));
  p = maddF64x2(p, r, f64x2.splat(1.0 / 720.0));
  p = maddF64x2(p, r, f64x2.splat(1.0 / 120.0));
  p = maddF64x2(p, r, f64x2.splat(1.0 / 24.0));
  p = maddF64x2(p, r, f64x2.splat(1.0 / 6.0));
  p = maddF64x2(p, r, f64x2.splat(0.5));
  p = maddF64x2(p, r, f64x2.splat(1));
  p = maddF64x2(p, r, f64x2.splat(1));
  const ni = i64x2.extend_low_i32x4_s(truncF64x2ToI32x4(n));
  const scale = i64x2.shl(i64x2.add(ni, i64x2.splat(1023)), 52);
  let e = f64x2.mul(p, scale);
  e = v128.bitselect(f64x2.splat(Infinity), e, f64x2.gt(x, f64x2.splat(709.782712893384)));
  return v128.bitselect(f64x2.splat(0), e, f64x2.lt(x, f64x2.splat(-708.3964185322641)));
}

/**
 * ln x per f64 lane, to a few ulp, for lanes that are 0, normal, infinite or NaN (every float32
 * value widened to float64 is one of those): x = m·2^k with m in [√½, √2), then
 * ln m = 2·atanh(s), s = (m − 1)/(m + 1), as an odd series in s. ln 0 = −Infinity, ln of a
 * negative number is NaN, ln +Infinity = +Infinity.
 */
@inline
export function logF64x2(x: v128): v128 {
  const bits = x;
  // The biased exponent as a double, through the 2^52 magic constant.
  const kBiased = f64x2.sub(
    v128.or(i64x2.shr_u(bits, 52), i64x2.splat(0x4330000000000000)),
    f64x2.splat(4503599627370496.0),
  );
  let m = v128.or(v128.and(bits, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const big = f64x2.gt(m, f64x2.splat(1.4142135623730951));
  m = v128.bitselect(f64x2.mul(m, f64x2.splat(0.5)), m, big);
  const k = f64x2.add(f64x2.sub(kBiased, f64x2.splat(1023)), v128.and(big, f64x2.splat(1)));
  const f = f64x2.sub(m, f64x2.splat(1));
  const s = f64x2.div(f, f64x2.add(f, f64x2.splat(2)));
  const z = f64x2.mul(s, s);
  let q = maddF64x2(f64x2.splat(1.0 / 17.0), z, f64x2.splat(1.0 / 15.0));
  q = maddF64x2(q, z, f64x2.splat(1.0 / 13.0));
  q = maddF64x2(q, z, f64x2.splat(1.0 / 11.0));
  q = maddF64x2(q, z, f64x2.splat(1.0 / 9.0));
  q = maddF64x2(q, z, f64x2.splat(1.0 / 7.0));
  q = maddF64x2(q, z, f64x2.splat(1.0 / 5.0));
  q = maddF64x2(q, z, f64x2.splat(1.0 / 3.0));
  const twoS = f64x2.add(s, s);
  const lnM = addProductF64x2(twoS, f64x2.mul(twoS, z), q);
  let y = maddF64x2(
    k,
    f64x2.splat(6.93147180369123816490e-1),
    addProductF64x2(lnM, k, f64x2.splat(1.90821492927058770002e-10)),
  );
  y = v128.bitselect(f64x2.splat(-Infinity), y, f64x2.eq(x, f64x2.splat(0)));
  y = v128.bitselect(f64x2.splat(Infinity), y, f64x2.eq(x, f64x2.splat(Infinity)));
  y = v128.bitselect(f64x2.splat(NaN), y, f64x2.lt(x, f64x2.splat(0)));
  return v128.bitselect(x, y, f64x2.ne(x, x));
}

/** ln(1 + e) per f64 lane for e ≥ 0, with the rounding of 1 + e corrected (log1p). */
@inline
export function log1pF64x2(e: v128): v128 {
  const u = f64x2.add(f64x2.splat(1), e);
  const correction = f64x2.div(f64x2.sub(e, f64x2.sub(u, f64x2.splat(1))), u);
  return f64x2.add(logF64x2(u), correction);
}

/** Four float32 lanes widened and added into two f64x2 accumulators: `a` gets lanes 0–1. */
@inline
export function addLow(a: v128, e: v128): v128 {
  return f64x2.add(a, f64x2.promote_low_f32x4(e));
}

/** Four float32 lanes widened and added into two f64x2 accumulators: `a` gets lanes 2–3. */
@inline
export function addHigh(a: v128, e: v128): v128 {
  return f64x2.add(a, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1)));
}
