/**
 * An exact float64 sum held in a slice of a metric state's `counts`, so that its value does not
 * depend on how the summed values were split into batches or in which order batches merged.
 *
 * The slice is {@link EXACT_SUM_SIZE} numbers: 70 digits of a fixed-point integer in units of
 * 2^−1074 (the smallest subnormal), each digit 32 bits held in a float64 (the top digit signed),
 * then the counts of +∞, −∞ and NaN terms. Any sum of up to 2^53 float64 values fits. Digits add
 * exactly (a merge is digit-wise addition: associative and commutative), and the value is the
 * exact sum correctly rounded to float64 once, at the end — so any batch split and any merge
 * order give the same bits.
 *
 * Within a batch, values are first gathered by sign and exponent into scratch buckets (the low
 * 32 and high 21 bits of their significands summed apart, exact for 2^20 values), which are
 * spread into the digits every 2^20 values and at the end of the batch.
 */
export const EXACT_SUM_SIZE = 73;

/**
 * The layout of a state whose `counts` are an element count then one exact sum (`mae`, `rmse`);
 * states of earlier releases (`elements`, compensated sums) do not merge with it.
 */
export const EXACT_LAYOUT = 'elements:exact';

const DIGITS = 70;
const RADIX = 2 ** 32;
/** Values gathered into the buckets before they are spread (the low-bits sums stay below 2^53). */
const FLUSH_EVERY = 2 ** 20;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Per sign-and-exponent (12 bits): Σ low 32 significand bits, Σ high 21 bits (with the implicit 1). */
const buckets = new Float64Array(2 * 4096);

/**
 * Adds Σ |x[i] − y[i]| exactly (each term rounded as float64 subtraction rounds it) to the exact
 * sum at `at` of `into`.
 *
 * @example
 * addAbsDifferences(state.counts, 1, predictions, targets);
 */
export function addAbsDifferences(
  into: Float64Array,
  at: number,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): void {
  gather(into, at, x, y, false);
}

/**
 * Adds Σ (x[i] − y[i])² exactly (each term the float64 square of the float64 difference) to the
 * exact sum at `at` of `into`.
 *
 * @example
 * addSquaredDifferences(state.counts, 1, predictions, targets);
 */
export function addSquaredDifferences(
  into: Float64Array,
  at: number,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): void {
  gather(into, at, x, y, true);
}

// One loop for both terms: `squared` is constant per call, so the branch is predicted.
function gather(
  into: Float64Array,
  at: number,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  squared: boolean,
): void {
  const n = x.length;
  for (let from = 0; from < n; from += FLUSH_EVERY) {
    const to = Math.min(n, from + FLUSH_EVERY);
    let lowest = 4096;
    let highest = -1;
    for (let i = from; i < to; i++) {
      const d = x[i]! - y[i]!;
      f64[0] = squared ? d * d : Math.abs(d);
      const hi = u32[1]!;
      const e = hi >>> 20;
      const exponent = e & 0x7ff;
      if (exponent === 0x7ff) {
        addSpecial(into, at, f64[0]!);
        continue;
      }
      buckets[2 * e]! += u32[0]!;
      buckets[2 * e + 1]! += (hi & 0xfffff) + (exponent === 0 ? 0 : 0x100000);
      if (e < lowest) lowest = e;
      if (e > highest) highest = e;
    }
    spread(into, at, lowest, highest);
  }
}

function addSpecial(into: Float64Array, at: number, v: number): void {
  into[at + DIGITS + (Number.isNaN(v) ? 2 : v > 0 ? 0 : 1)]! += 1;
}

/** Moves buckets [lowest, highest] into the digits (clearing them) and carries the digits. */
function spread(into: Float64Array, at: number, lowest: number, highest: number): void {
  for (let e = lowest; e <= highest; e++) {
    const low = buckets[2 * e]!;
    const high = buckets[2 * e + 1]!;
    if (low === 0 && high === 0) continue;
    buckets[2 * e] = 0;
    buckets[2 * e + 1] = 0;
    const sign = e >= 2048 ? -1 : 1;
    // A significand unit of exponent field E is 2^(max(E, 1) − 1075), i.e. 2^(max(E, 1) − 1) units.
    const shift = Math.max(e & 0x7ff, 1) - 1;
    addShifted(into, at, sign * low, shift);
    addShifted(into, at, sign * high, shift + 32);
  }
  carry(into, at);
}

/** Adds the integer v (|v| < 2^53) times 2^shift to the digits: three exact 32-bit parts. */
function addShifted(into: Float64Array, at: number, v: number, shift: number): void {
  const d = at + (shift >>> 5);
  const w = v * 2 ** (shift & 31);
  const p0 = w % RADIX;
  const w1 = (w - p0) / RADIX;
  const p1 = w1 % RADIX;
  into[d]! += p0;
  into[d + 1]! += p1;
  into[d + 2]! += (w1 - p1) / RADIX;
}

/**
 * Carries the digits of the exact sum at `at` so that each lies in [0, 2^32) (the top one keeps
 * the sign). Exact while every digit is below 2^53 in magnitude, which holds after up to 2^20
 * merges; {@link mergeExactSum} carries after each.
 */
export function carry(into: Float64Array, at: number): void {
  let c = 0;
  for (let k = at; k < at + DIGITS - 1; k++) {
    const v = into[k]! + c;
    c = Math.floor(v / RADIX);
    into[k] = v - c * RADIX;
  }
  into[at + DIGITS - 1]! += c;
}

/**
 * Adds the exact sum at `j` of `from` into the one at `i` of `into`, exactly.
 *
 * @example
 * mergeExactSum(into.counts, 1, from.counts, 1);
 */
export function mergeExactSum(into: Float64Array, i: number, from: ArrayLike<number>, j: number): void {
  for (let k = 0; k < EXACT_SUM_SIZE; k++) into[i + k]! += from[j + k]!;
  carry(into, i);
}

/**
 * The exact sum at `at`, rounded to the nearest float64 (ties to even): ±∞ beyond the float64
 * range or with infinite terms of one sign, NaN with a NaN term or infinities of both signs.
 *
 * @example
 * exactSumValue(state.counts, 1); // the same bits for any batch split
 */
export function exactSumValue(sums: ArrayLike<number>, at: number): number {
  const pos = sums[at + DIGITS]!;
  const neg = sums[at + DIGITS + 1]!;
  if (sums[at + DIGITS + 2]! > 0 || (pos > 0 && neg > 0)) return Number.NaN;
  if (pos > 0) return Number.POSITIVE_INFINITY;
  if (neg > 0) return Number.NEGATIVE_INFINITY;
  const digits = new Float64Array(DIGITS);
  for (let k = 0; k < DIGITS; k++) digits[k] = sums[at + k]!;
  carry(digits, 0);
  let big = 0n;
  for (let k = DIGITS - 1; k >= 0; k--) big = (big << 32n) + BigInt(digits[k]!);
  return scaledToDouble(big);
}

/** `big` × 2^−1074 rounded once to the nearest float64. */
function scaledToDouble(big: bigint): number {
  const negative = big < 0n;
  let m = negative ? -big : big;
  const bits = m.toString(2).length;
  let scale = -1074;
  if (bits > 55) {
    // Keep 55 bits and fold the rest into a sticky bit: Number() then rounds as the full value would.
    const t = BigInt(bits - 55);
    const kept = m >> t;
    const sticky = kept << t === m ? 0n : 1n;
    m = kept | sticky;
    scale += bits - 55;
  }
  // Number(m) is exact or correctly rounded; the power-of-two scaling is exact (the result is
  // normal when m was rounded), applied in two steps so no factor overflows on its own.
  const half = Math.trunc(scale / 2);
  const v = Number(m) * 2 ** half * 2 ** (scale - half);
  return negative ? -v : v;
}
