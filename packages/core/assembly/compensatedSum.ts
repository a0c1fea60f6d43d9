// Knuth's TwoSum on f64x2 lanes and on scalars, as src/state/compensatedSum.ts does in JS: every kernel
// keeps a running sum and its rounding error, so long sums stay exact to about one ulp.

/** `c` plus the rounding error of `s + v`, per lane (the caller then sets `s = s + v`). */
@inline
export function twoSumError2(s: v128, v: v128, c: v128): v128 {
  const t = f64x2.add(s, v);
  const bb = f64x2.sub(t, s);
  return f64x2.add(c, f64x2.add(f64x2.sub(s, f64x2.sub(t, bb)), f64x2.sub(v, bb)));
}

/** The rounding error of `a + b = s`. */
@inline
export function twoSumError(a: f64, b: f64, s: f64): f64 {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** `hi + lo`, keeping ±Infinity and NaN of `hi` (their error terms are NaN). */
@inline
export function compensatedValue(hi: f64, lo: f64): f64 {
  return hi - hi == 0 ? hi + lo : hi;
}

/**
 * The compensated total of two lane pairs of sums (`s0`, `s1`) and errors (`c0`, `c1`) plus a
 * scalar tail `tail`: the value a kernel returns.
 */
@inline
export function foldSums(s0: v128, c0: v128, s1: v128, c1: v128, tail: f64, tailErr: f64): f64 {
  let s = tail;
  let c = tailErr + f64x2.extract_lane(c0, 0) + f64x2.extract_lane(c0, 1);
  c += f64x2.extract_lane(c1, 0) + f64x2.extract_lane(c1, 1);
  let v = f64x2.extract_lane(s0, 0);
  let t = s + v;
  c += twoSumError(s, v, t);
  s = t;
  v = f64x2.extract_lane(s0, 1);
  t = s + v;
  c += twoSumError(s, v, t);
  s = t;
  v = f64x2.extract_lane(s1, 0);
  t = s + v;
  c += twoSumError(s, v, t);
  s = t;
  v = f64x2.extract_lane(s1, 1);
  t = s + v;
  c += twoSumError(s, v, t);
  s = t;
  return compensatedValue(s, c);
}
