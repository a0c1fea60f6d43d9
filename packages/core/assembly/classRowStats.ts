// The per-sample numbers the classification metrics share, from one read of each row of C
// contiguous float32 scores: the first argmax (−1 for a row holding NaN), the target's rank
// (classes scoring higher, plus lower-indexed classes scoring the same) and Σ exp(x_c − max) in
// float64 — with exactly the operations and order of the JS code (src/metrics/sampleScores.ts,
// src/kernels/exp.ts), so every metric gets the same bits from either.

/** 2^(j/64), j = 0…63, as JS's `2 ** (j / 64)` gives them (src/kernels/exp.ts FRACTION). */
const FRACTION = memory.data<f64>([
  1, 1.0108892860517005, 1.0218971486541166, 1.0330248790212284, 1.0442737824274138, 1.0556451783605572, 1.0671404006768237, 1.0787607977571199, 1.0905077326652577, 1.102382583307841, 1.1143867425958924, 1.1265216186082418, 1.1387886347566916, 1.1511892299529827, 1.1637248587775775, 1.1763969916502812, 1.189207115002721, 1.202156731452703, 1.215247359980469, 1.22848053610687, 1.241857812073484, 1.255380757024691, 1.2690509571917332, 1.2828700160787783, 1.2968395546510096, 1.3109612115247644, 1.3252366431597413, 1.339667524053303, 1.3542555469368927, 1.3690024229745905, 1.3839098819638318, 1.398979672538311, 1.4142135623730951, 1.42961333839197, 1.4451808069770467, 1.4609177941806468, 1.4768261459394993, 1.4929077282912648, 1.5091644275934228, 1.5255981507445382, 1.542210825407941, 1.559004400237837, 1.5759808451078865, 1.593142151342267, 1.6104903319492543, 1.6280274218573478, 1.6457554781539647, 1.6636765803267364, 1.6817928305074292, 1.7001063537185235, 1.718619298122478, 1.7373338352737062, 1.7562521603732995, 1.7753764925265212, 1.7947090750031072, 1.8142521755003989, 1.8340080864093424, 1.8539791250833857, 1.8741676341103, 1.8945759815869656, 1.9152065613971474, 1.9360617934922946, 1.9571441241754002, 1.978456026387951,
]);

const INV_STEP: f64 = 64.0 / 0.6931471805599453;
const STEP_HI: f64 = 0.6931471803691238 / 64.0;
const STEP_LO: f64 = 1.9082149292705877e-10 / 64.0;
const ROUND: f64 = 6755399441055744.0;

/** src/kernels/exp.ts's expNonPositive for x in [−708, 0], operation for operation. */
@inline
function expNonPositive(x: f64): f64 {
  const kd = x * INV_STEP + ROUND - ROUND;
  const r = x - kd * STEP_HI - kd * STEP_LO;
  const k = <i32>kd;
  const j = k & 63;
  // 2^−i for i = (j − k) >> 6 ≤ 1021: a normal double, built from its exponent bits.
  const i = (j - k) >> 6;
  const scale = reinterpret<f64>(<i64>(1023 - i) << 52);
  const p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120)))));
  return load<f64>(FRACTION + ((<usize>j) << 3)) * scale * p;
}

/** {@link expNonPositive} on both f64x2 lanes (each in [−708, 0]), operation for operation. */
@inline
function expNonPositive2(d: v128): v128 {
  const kd = f64x2.sub(f64x2.add(f64x2.mul(d, f64x2.splat(INV_STEP)), f64x2.splat(ROUND)), f64x2.splat(ROUND));
  const r = f64x2.sub(f64x2.sub(d, f64x2.mul(kd, f64x2.splat(STEP_HI))), f64x2.mul(kd, f64x2.splat(STEP_LO)));
  const k = i32x4.trunc_sat_f64x2_s_zero(kd);
  const jj = v128.and(k, i32x4.splat(63));
  const i = i32x4.shr_s(i32x4.sub(jj, k), 6);
  const scale = i64x2.shl(i64x2.extend_low_i32x4_s(i32x4.sub(i32x4.splat(1023), i)), 52);
  const j0 = <usize>i32x4.extract_lane(jj, 0);
  const j1 = <usize>i32x4.extract_lane(jj, 1);
  const frac = f64x2.replace_lane(f64x2.splat(load<f64>(FRACTION + (j0 << 3))), 1, load<f64>(FRACTION + (j1 << 3)));
  const one = f64x2.splat(1);
  let q = f64x2.add(f64x2.splat(1.0 / 24), f64x2.mul(r, f64x2.splat(1.0 / 120)));
  q = f64x2.add(f64x2.splat(1.0 / 6), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(1.0 / 2), f64x2.mul(r, q));
  q = f64x2.add(one, f64x2.mul(r, q));
  q = f64x2.add(one, f64x2.mul(r, q));
  return f64x2.mul(f64x2.mul(frac, scale), q);
}

/** Two classes' x − top at `p`, widened to float64. */
@inline
function shifted2(p: usize, j: i32, tv: v128): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p + ((<usize>j) << 2))), tv);
}

/**
 * Σ exp(x_j − top) over `c` float32 values at `p`, two terms at a time in f64x2 lanes but added
 * one by one in class order, as the JS loop adds them; −1 when a term's argument lies outside
 * [−708, 0] (NaN too): the JS side then computes the row with Math.exp.
 */
@inline
function rowExpSum(p: usize, c: i32, top: f64): f64 {
  const tv = f64x2.splat(top);
  const lowest = f64x2.splat(-708);
  let s: f64 = 0;
  let j = 0;
  for (; j + 2 <= c; j += 2) {
    const d = shifted2(p, j, tv);
    if (!i64x2.all_true(f64x2.ge(d, lowest))) return -1;
    const e = expNonPositive2(d);
    s += f64x2.extract_lane(e, 0);
    s += f64x2.extract_lane(e, 1);
  }
  for (; j < c; j++) {
    const d = <f64>load<f32>(p + ((<usize>j) << 2)) - top;
    if (!(d >= -708)) return -1;
    s += expNonPositive(d);
  }
  return s;
}

/**
 * {@link rowExpSum} of two rows at once, into `out` and `out + 8`: the two sums are two
 * independent chains of additions, so one row's additions wait less on the previous one's result
 * (each row's own order is kept). False, with nothing written, when a term needs Math.exp.
 */
@inline
function rowExpSum2(p0: usize, p1: usize, c: i32, top0: f64, top1: f64, out: usize): bool {
  const t0 = f64x2.splat(top0);
  const t1 = f64x2.splat(top1);
  const lowest = f64x2.splat(-708);
  let s0: f64 = 0;
  let s1: f64 = 0;
  let j = 0;
  for (; j + 2 <= c; j += 2) {
    const d0 = shifted2(p0, j, t0);
    const d1 = shifted2(p1, j, t1);
    if (!i64x2.all_true(v128.and(f64x2.ge(d0, lowest), f64x2.ge(d1, lowest)))) return false;
    const e0 = expNonPositive2(d0);
    const e1 = expNonPositive2(d1);
    s0 += f64x2.extract_lane(e0, 0);
    s1 += f64x2.extract_lane(e1, 0);
    s0 += f64x2.extract_lane(e0, 1);
    s1 += f64x2.extract_lane(e1, 1);
  }
  for (; j < c; j++) {
    const d0 = <f64>load<f32>(p0 + ((<usize>j) << 2)) - top0;
    const d1 = <f64>load<f32>(p1 + ((<usize>j) << 2)) - top1;
    if (!(d0 >= -708) || !(d1 >= -708)) return false;
    s0 += expNonPositive(d0);
    s1 += expNonPositive(d1);
  }
  store<f64>(out, s0);
  store<f64>(out, s1, 8);
  return true;
}

/**
 * The largest of `c` ≥ 1 float32 values at `p`, NaN when one is NaN. f32x4.pmax is one instruction
 * where f32x4.max is a NaN-propagating sequence, so NaN is looked for on the side (x ≠ x).
 */
@inline
function rowMaxNaN(p: usize, c: i32): f32 {
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
function firstEqual(p: usize, c: i32, m: f32): i32 {
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
function targetRank(p: usize, c: i32, t: i32): i32 {
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
 * outside [0, C) (int32 at `pRank`), and with `wantExp` Σ_c exp(x_c − max) in float64, added in
 * class order (at `pExp`); −1 there where some x_c − max lies outside [−708, 0] (an infinity, or
 * a term that underflows): the JS side computes those rows with Math.exp as its own code does.
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
    store<i32>(pRank + ((<usize>r) << 2), best >= 0 && t >= 0 && t < c ? targetRank(p, c, t) : 0);
  }
  if (!wantExp) return;
  // The sums two rows at a time (the rows are still in cache); a row with NaN or a term for
  // Math.exp alone.
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const p0 = px + <usize>r * rowBytes;
    const p1 = p0 + rowBytes;
    const b0 = load<i32>(pBest + ((<usize>r) << 2));
    const b1 = load<i32>(pBest + ((<usize>r) << 2), 4);
    const out = pExp + ((<usize>r) << 3);
    if (b0 >= 0 && b1 >= 0) {
      const top0 = <f64>load<f32>(p0 + ((<usize>b0) << 2));
      const top1 = <f64>load<f32>(p1 + ((<usize>b1) << 2));
      if (rowExpSum2(p0, p1, c, top0, top1, out)) continue;
    }
    store<f64>(out, b0 >= 0 ? rowExpSum(p0, c, <f64>load<f32>(p0 + ((<usize>b0) << 2))) : -1);
    store<f64>(out, b1 >= 0 ? rowExpSum(p1, c, <f64>load<f32>(p1 + ((<usize>b1) << 2))) : -1, 8);
  }
  if (r < rows) {
    const p = px + <usize>r * rowBytes;
    const b = load<i32>(pBest + ((<usize>r) << 2));
    store<f64>(pExp + ((<usize>r) << 3), b >= 0 ? rowExpSum(p, c, <f64>load<f32>(p + ((<usize>b) << 2))) : -1);
  }
}
