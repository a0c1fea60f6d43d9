// The softmax denominator of a float32 row as the classification metrics compute it: each term
// e^(x_c − max) with the float32 exp of the WebAssembly kernels (assembly/vectorMath.ts
// expNonPositiveF32x4Exact, no fused multiply-adds, so the default and the relaxed-SIMD module
// agree), the terms added in float64 in a fixed order. This file is the JS twin of
// assembly/classRowStats.ts's rowExpSumF32: the same float32 operations through Math.fround,
// so a row gives the same bits on every path (WebAssembly or JS, contiguous or strided rows).

const f = Math.fround;

// The kernel's constants, as the float32 values it splats.
const LOWEST = f(-87.33654);
const MAGIC = f(12582912.0);
const LOG2E = f(Math.LOG2E);
const LN2_HI = f(0.693359375);
const LN2_LO = f(-2.1219444e-4);
const P4 = f(1.3814549893140793e-3);
const P3 = f(8.368690498173237e-3);
const P2 = f(4.166838526725769e-2);
const P1 = f(1.666652113199234e-1);
const P0 = f(4.999999403953552e-1);

// 2^n for the n ∈ [−126, 0] the reduction gives: the exponent field the kernel builds from bits.
const POW2 = new Float64Array(127);
for (let n = 0; n <= 126; n++) POW2[n] = 2 ** -n;

/**
 * e^d for a float32 `d` ≤ 0 (or NaN), bit for bit as one lane of the kernels' float32 exp
 * (within 2 ulp of float32; below −87.34 it gives e^−87.34 ≈ the smallest normal float32; NaN stays NaN).
 */
export function expNonPositiveF32(d: number): number {
  // As f32x4.pmax(d, LOWEST) (d unless d < LOWEST): the same for NaN and −0.
  const x = Math.max(d, LOWEST);
  const t = f(f(x * LOG2E) + MAGIC);
  const n = f(t - MAGIC);
  let r = f(x - f(n * LN2_HI));
  r = f(r - f(n * LN2_LO));
  let p = f(f(P4 * r) + P3);
  p = f(f(p * r) + P2);
  p = f(f(p * r) + P1);
  p = f(f(p * r) + P0);
  const y = f(f(f(p * f(r * r)) + r) + 1);
  // NaN indexes nothing: y is NaN then, and so is the product.
  return Number.isNaN(n) ? y : f(y * POW2[-n]!);
}

/**
 * Σ_c e^(x_c − max) over one float32 sample's `classes` scores (`x[base + c·inner]`, float32
 * values), `max` its largest: each x_c − max rounded to float32 and exponentiated by
 * {@link expNonPositiveF32}; the terms of classes c < C − C mod 8 added into eight float64
 * accumulators by c mod 8, combined as ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)), then
 * the remaining classes added one by one. NaN when a term is (an infinite max).
 */
export function float32ExpSumAt(
  x: ArrayLike<number>,
  base: number,
  classes: number,
  inner: number,
  max: number,
): number {
  const whole = classes - (classes % 8);
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let a4 = 0;
  let a5 = 0;
  let a6 = 0;
  let a7 = 0;
  let c = 0;
  for (; c < whole; c += 8) {
    const o = base + c * inner;
    a0 += expNonPositiveF32(f(x[o]! - max));
    a1 += expNonPositiveF32(f(x[o + inner]! - max));
    a2 += expNonPositiveF32(f(x[o + 2 * inner]! - max));
    a3 += expNonPositiveF32(f(x[o + 3 * inner]! - max));
    a4 += expNonPositiveF32(f(x[o + 4 * inner]! - max));
    a5 += expNonPositiveF32(f(x[o + 5 * inner]! - max));
    a6 += expNonPositiveF32(f(x[o + 6 * inner]! - max));
    a7 += expNonPositiveF32(f(x[o + 7 * inner]! - max));
  }
  let s = a0 + a4 + (a2 + a6) + (a1 + a5 + (a3 + a7));
  for (; c < classes; c++) s += expNonPositiveF32(f(x[base + c * inner]! - max));
  return s;
}
