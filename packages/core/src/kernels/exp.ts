const STEPS = 64;
const INV_STEP = STEPS / Math.LN2;
// ln 2 / 64 in two parts (fdlibm's split, scaled): kd·STEP_HI is exact for every k reached here.
const STEP_HI = 0.6931471803691238 / STEPS;
const STEP_LO = 1.9082149292705877e-10 / STEPS;
// Adding and subtracting 1.5·2^52 rounds a double to the nearest integer.
const ROUND = 6755399441055744;
/** 2^(j/64), j = 0…63. */
const FRACTION = Float64Array.from({ length: STEPS }, (_, j) => 2 ** (j / STEPS));
/** 2^−i for i = 0…1023: the integer part of the exponent, for x down to −708. */
const NEGATIVE_POWER = Float64Array.from({ length: 1024 }, (_, i) => 2 ** -i);

/**
 * `exp(x)` for the log-sum-exp of max-shifted logits (x ≤ 0), within 2 ulp of `Math.exp` and about
 * three times faster, because V8 inlines it where `Math.exp` is a call into C++. Arguments outside
 * [−708, 0] (and NaN) go to `Math.exp`, so ±inf, NaN and underflow behave exactly as there.
 *
 * Method: x = (k/64)·ln 2 + r with |r| ≤ ln 2/128; exp(x) = 2^⌊k/64⌋ · 2^((k mod 64)/64) · exp(r), the
 * powers of two from tables and exp(r) from its degree-5 Taylor polynomial (truncation < 4e-17).
 *
 * @example
 * let sum = 0;
 * for (let c = 0; c < classes; c++) sum += expNonPositive(logits[c]! - max);
 */
export function expNonPositive(x: number): number {
  if (!(x >= -708 && x <= 0)) return Math.exp(x);
  const kd = x * INV_STEP + ROUND - ROUND;
  const r = x - kd * STEP_HI - kd * STEP_LO;
  const k = kd | 0;
  const j = k & (STEPS - 1);
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return FRACTION[j]! * NEGATIVE_POWER[(j - k) >> 6]! * p;
}
