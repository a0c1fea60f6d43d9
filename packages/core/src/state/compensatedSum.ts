/**
 * Error-free transformation of `a + b` (Knuth's TwoSum): returns the rounding error of `a + b`,
 * branch-free so it can sit in hot loops. Once a sum is non-finite its error term is NaN;
 * {@link compensatedValue} ignores it then.
 */
export function twoSumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** The value of a compensated sum `hi + lo`, keeping ±Infinity and NaN from `hi` as they are. */
export function compensatedValue(hi: number, lo: number): number {
  return Number.isFinite(hi) ? hi + lo : hi;
}
