// The operations a relaxed-SIMD build may fuse or relax, chosen at compile time: with
// `--enable relaxed-simd` (the second module, scripts/build-wasm.mjs) they are the relaxed
// instructions, which V8 lowers to one FMA / one min / one truncation on x64; without it they are
// exactly the plain simd128 sequences the kernels used before, so the default module's results do
// not change. Only use them where either result is acceptable: an FMA rounds once where
// mul-then-add rounds twice, and relaxed min/max/trunc may differ from the strict ones only on
// NaN, ±0 and out-of-range lanes. The kernels fuse only inside the exp/log polynomials, on reduced
// arguments, where one rounding less cannot be amplified; a fused product feeding a difference
// that can cancel (BCE's (1 − y)·x − lw·ls, KL's y·log y − y·x) would move a result by far more
// than an ulp relative to the reference, which rounds the product first.

/** a·b + c per f32 lane (fused where the engine fuses). */
@inline
export function maddF32x4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** c − a·b per f32 lane (fused where the engine fuses). */
@inline
export function nmaddF32x4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

/** a·b + c per f64 lane (fused where the engine fuses). */
@inline
export function maddF64x2(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

/**
 * c + a·b per f64 lane: {@link maddF64x2} with the plain sequence's operands in this order, which
 * keeps the default module's bytes as they were where the kernels added the product second.
 */
@inline
export function addProductF64x2(c: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** c − a·b per f64 lane (fused where the engine fuses). */
@inline
export function nmaddF64x2(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_nmadd(a, b, c);
  return f64x2.sub(c, f64x2.mul(a, b));
}

/** min per f64 lane; the relaxed form may return either operand for NaN or ±0 lanes. */
@inline
export function minF64x2(a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_min(a, b);
  return f64x2.min(a, b);
}

/** max per f64 lane; the relaxed form may return either operand for NaN or ±0 lanes. */
@inline
export function maxF64x2(a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_max(a, b);
  return f64x2.max(a, b);
}

/**
 * Two f64 lanes that hold integers in int32 range, as i32 lanes 0–1 (lanes 2–3 zero). The relaxed
 * form differs from the saturating one only on NaN and out-of-range lanes, which callers exclude.
 */
@inline
export function truncF64x2ToI32x4(a: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_trunc_f64x2_s_zero(a);
  return i32x4.trunc_sat_f64x2_s_zero(a);
}
