// The per-sample numbers the classification metrics share, from one read of each row of C
// contiguous float32 scores: the first argmax (−1 for a row holding NaN), the target's rank
// (classes scoring higher, plus lower-indexed classes scoring the same) and the softmax
// denominator Σ exp(x_c − max) from float32 exps added in float64 — the same operations and order
// as the JS code (src/metrics/sampleScores.ts, src/metrics/float32ExpSum.ts), so every metric gets
// the same bits from either.

import { addHigh, addLow, expNonPositiveF32x4Exact } from './vectorMath';

/**
 * Σ e^(x_j − m) over `c` float32 values at `p`, m their max: x_j − m in float32, the float32 exp
 * (no fused multiply-adds), the terms of j < c − c mod 8 in float64 accumulators by j mod 8 —
 * ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)) — then the rest one by one: exactly
 * src/metrics/float32ExpSum.ts's float32ExpSumAt. NaN where a term is NaN (an infinite max).
 */
@inline
export function rowExpSumF32(p: usize, c: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let j = 0;
  for (; j + 8 <= c; j += 8) {
    const o = p + ((<usize>j) << 2);
    const e0 = expNonPositiveF32x4Exact(f32x4.sub(v128.load(o), mv));
    const e1 = expNonPositiveF32x4Exact(f32x4.sub(v128.load(o, 16), mv));
    a0 = addLow(a0, e0);
    a1 = addHigh(a1, e0);
    a2 = addLow(a2, e1);
    a3 = addHigh(a3, e1);
  }
  a0 = f64x2.add(f64x2.add(a0, a2), f64x2.add(a1, a3));
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  // The rest one by one, but four exps in one vector where four remain (a lane's exp does not
  // depend on the others).
  if (j + 4 <= c) {
    const e = expNonPositiveF32x4Exact(f32x4.sub(v128.load(p + ((<usize>j) << 2)), mv));
    s += <f64>f32x4.extract_lane(e, 0);
    s += <f64>f32x4.extract_lane(e, 1);
    s += <f64>f32x4.extract_lane(e, 2);
    s += <f64>f32x4.extract_lane(e, 3);
    j += 4;
  }
  for (; j < c; j++) {
    const d = f32x4.splat(load<f32>(p + ((<usize>j) << 2)) - m);
    s += <f64>f32x4.extract_lane(expNonPositiveF32x4Exact(d), 0);
  }
  return s;
}

/**
 * The largest of `c` ≥ 1 float32 values at `p`, NaN when one is NaN. f32x4.pmax is one instruction
 * where f32x4.max is a NaN-propagating sequence, so NaN is looked for on the side (x ≠ x).
 */
@inline
export function rowMaxNaN(p: usize, c: i32): f32 {
  let m: f32 = load<f32>(p);
  let j = 0;
  let nan = false;
  if (c >= 8) {
    let m0 = v128.load(p);
    let m1 = v128.load(p, 16);
    let n0 = v128.or(f32x4.ne(m0, m0), f32x4.ne(m1, m1));
    let n1 = n0;
    j = 8;
    for (; j + 8 <= c; j += 8) {
      const o = p + ((<usize>j) << 2);
      const v0 = v128.load(o);
      const v1 = v128.load(o, 16);
      m0 = f32x4.pmax(m0, v0);
      m1 = f32x4.pmax(m1, v1);
      n0 = v128.or(n0, f32x4.ne(v0, v0));
      n1 = v128.or(n1, f32x4.ne(v1, v1));
    }
    nan = v128.any_true(v128.or(n0, n1));
    m0 = f32x4.pmax(m0, m1);
    m0 = f32x4.pmax(m0, v128.shuffle<f32>(m0, m0, 2, 3, 0, 1));
    m0 = f32x4.pmax(m0, v128.shuffle<f32>(m0, m0, 1, 0, 3, 2));
    m = f32x4.extract_lane(m0, 0);
  }
  for (; j < c; j++) {
    const v = load<f32>(p + ((<usize>j) << 2));
    if (v != v) nan = true;
    else if (v > m) m = v;
  }
  return nan || m != m ? NaN : m;
}

/** The first index of `c` values at `p` equal to `m` (which one of them is). */
@inline
export function firstEqual(p: usize, c: i32, m: f32): i32 {
  const mv = f32x4.splat(m);
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const bits = i32x4.bitmask(f32x4.eq(v128.load(p + ((<usize>j) << 2)), mv));
    if (bits != 0) return j + ctz(bits);
  }
  for (; j < c; j++) if (load<f32>(p + ((<usize>j) << 2)) == m) return j;
  return c - 1;
}

/** Classes scoring more than class `t`'s score s, plus classes before t scoring s. */
@inline
export function targetRank(p: usize, c: i32, t: i32): i32 {
  const s = load<f32>(p + ((<usize>t) << 2));
  const sv = f32x4.splat(s);
  // Lanes are −1 where true: subtracting the masks counts them.
  let gt = i32x4.splat(0);
  let eq = i32x4.splat(0);
  let j = 0;
  for (; j + 4 <= t; j += 4) {
    const v = v128.load(p + ((<usize>j) << 2));
    gt = i32x4.sub(gt, f32x4.gt(v, sv));
    eq = i32x4.sub(eq, f32x4.eq(v, sv));
  }
  let rank = 0;
  for (; j < t; j++) if (load<f32>(p + ((<usize>j) << 2)) >= s) rank++;
  for (; j + 4 <= c; j += 4) gt = i32x4.sub(gt, f32x4.gt(v128.load(p + ((<usize>j) << 2)), sv));
  for (; j < c; j++) if (load<f32>(p + ((<usize>j) << 2)) > s) rank++;
  gt = i32x4.add(gt, eq);
  return (
    rank +
    i32x4.extract_lane(gt, 0) +
    i32x4.extract_lane(gt, 1) +
    i32x4.extract_lane(gt, 2) +
    i32x4.extract_lane(gt, 3)
  );
}

/**
 * Per row of `c` float32 scores at `px` (targets int32 at `pt` every `tStride` words): the
 * first argmax or −1 for a row with NaN (int32 at `pBest`), the target's rank or 0 for a target
 * outside [0, C) (int32 at `pRank`), and with `wantExp` the row's softmax denominator
 * ({@link rowExpSumF32}, float64 at `pExp`; −1 for a row with NaN).
 */
export function classRowStats(
  px: usize,
  pt: usize,
  tStride: i32,
  rows: i32,
  c: i32,
  wantExp: bool,
  pBest: usize,
  pRank: usize,
  pExp: usize,
): void {
  const rowBytes = (<usize>c) << 2;
  for (let r = 0; r < rows; r++) {
    const p = px + <usize>r * rowBytes;
    const m = rowMaxNaN(p, c);
    const best = m != m ? -1 : firstEqual(p, c, m);
    store<i32>(pBest + ((<usize>r) << 2), best);
    const t = load<i32>(pt + ((<usize>(r * tStride)) << 2));
    // A target that is the first argmax has rank 0: nothing scores more, nothing before it as much.
    store<i32>(pRank + ((<usize>r) << 2), best >= 0 && t >= 0 && t < c && t != best ? targetRank(p, c, t) : 0);
    // While the row is in L1; x[best] itself (not m, which may be the other zero).
    if (wantExp) {
      store<f64>(pExp + ((<usize>r) << 3), best >= 0 ? rowExpSumF32(p, c, load<f32>(p + ((<usize>best) << 2))) : -1);
    }
  }
}
