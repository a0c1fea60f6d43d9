// Cross-entropy (class-index targets) and the classification metrics' per-row numbers in one read
// of each row: when a pass computes both over the same logits and targets, the row is loaded once
// and each exp serves both softmax denominators. Every number is the one the separate kernels
// give (crossEntropy.ts's classIndexLoss, classRowStats.ts's classRowStats), bit for bit: the two
// sums keep their own accumulation orders and only the exps (and the loads) are shared. Given a
// tally (src/pass/classRowTally.ts), it also adds up accuracy, top-k and calibration bins per row,
// as those metrics' JS loops would (the same float64 additions in row order): compiled once per
// process, where the loops' JIT warm-up in every worker thread cost more than running them.
//
// Measured and left out (2M × 100 bench log, callgrind instruction counts per row: CE alone 3,086,
// this kernel 3,890 with the metrics' exp sum, 3,590 without): one float64 sum for both is not
// possible bit for bit (the loss adds float32 pairs, the metrics each float32 exp, and their sums
// of ~100 terms are not exact, so the order shows in the last bits of ECE); 16-value blocks only
// when the exp sum is wanted (fewer live vectors) ran ~8% slower; firstEqual testing 16 values per
// branch saved 143 instructions a row but ran ~5% slower; targetRank costs nothing where the
// argmax is the target (every row of the bench log).

import { classRowStats, firstEqual, targetRank } from './classRowStats';
import { compensatedValue, twoSumError } from './compensatedSum';
import { rowLoss, rowMax, rowShiftedSum } from './crossEntropy';
import { addHigh, addLow, expNonPositiveF32x4, expNonPositiveF32x4Exact } from './vectorMath';

/**
 * The loss's exps of `d` given the metrics' (`exact`): the same vector in the default module, where
 * expNonPositiveF32x4 has no fused multiply-adds either; its own (fused) exps in the relaxed one.
 */
@inline
function lossExp(d: v128, exact: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return expNonPositiveF32x4(d);
  return exact;
}

// The metrics' softmax denominator of the row fusedExpSums last summed (a second result).
let metricExpSum: f64 = 0;

/**
 * Σ e^(x − m) over a row of `c` float32 values at `p` twice: returned, as crossEntropy.ts's
 * rowSumExp adds it (float32 pairs, four float64 accumulators, a scalar float64 tail with
 * `mLoss`); with `wantExp` also in {@link metricExpSum} as classRowStats.ts's rowExpSumF32 adds it
 * (each float32 term in float64, by j mod 8, a float32 tail). x − m is taken once, with `m` the
 * row's first argmax value: it equals `mLoss` but perhaps for the sign of a zero, which changes
 * no difference but x = ±0's, whose exp is 1 either way. A NaN in the row makes the returned sum
 * NaN (its exp is NaN, and so is every exp when `mLoss` is).
 */
@inline
function fusedExpSums(p: usize, c: i32, m: f32, mLoss: f32, wantExp: bool): f64 {
  const mv = f32x4.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let b0 = a0;
  let b1 = a0;
  let b2 = a0;
  let b3 = a0;
  let j = 0;
  for (; j + 32 <= c; j += 32) {
    const o = p + ((<usize>j) << 2);
    const d0 = f32x4.sub(v128.load(o), mv);
    const d1 = f32x4.sub(v128.load(o, 16), mv);
    const d2 = f32x4.sub(v128.load(o, 32), mv);
    const d3 = f32x4.sub(v128.load(o, 48), mv);
    const d4 = f32x4.sub(v128.load(o, 64), mv);
    const d5 = f32x4.sub(v128.load(o, 80), mv);
    const d6 = f32x4.sub(v128.load(o, 96), mv);
    const d7 = f32x4.sub(v128.load(o, 112), mv);
    const x0 = expNonPositiveF32x4Exact(d0);
    const x1 = expNonPositiveF32x4Exact(d1);
    const x2 = expNonPositiveF32x4Exact(d2);
    const x3 = expNonPositiveF32x4Exact(d3);
    const x4 = expNonPositiveF32x4Exact(d4);
    const x5 = expNonPositiveF32x4Exact(d5);
    const x6 = expNonPositiveF32x4Exact(d6);
    const x7 = expNonPositiveF32x4Exact(d7);
    const s01 = f32x4.add(lossExp(d0, x0), lossExp(d1, x1));
    const s23 = f32x4.add(lossExp(d2, x2), lossExp(d3, x3));
    const s45 = f32x4.add(lossExp(d4, x4), lossExp(d5, x5));
    const s67 = f32x4.add(lossExp(d6, x6), lossExp(d7, x7));
    a0 = addLow(addLow(a0, s01), s45);
    a1 = addHigh(addHigh(a1, s01), s45);
    a2 = addLow(addLow(a2, s23), s67);
    a3 = addHigh(addHigh(a3, s23), s67);
    if (wantExp) {
      b0 = addLow(addLow(addLow(addLow(b0, x0), x2), x4), x6);
      b1 = addHigh(addHigh(addHigh(addHigh(b1, x0), x2), x4), x6);
      b2 = addLow(addLow(addLow(addLow(b2, x1), x3), x5), x7);
      b3 = addHigh(addHigh(addHigh(addHigh(b3, x1), x3), x5), x7);
    }
  }
  for (; j + 16 <= c; j += 16) {
    const o = p + ((<usize>j) << 2);
    const d0 = f32x4.sub(v128.load(o), mv);
    const d1 = f32x4.sub(v128.load(o, 16), mv);
    const d2 = f32x4.sub(v128.load(o, 32), mv);
    const d3 = f32x4.sub(v128.load(o, 48), mv);
    const x0 = expNonPositiveF32x4Exact(d0);
    const x1 = expNonPositiveF32x4Exact(d1);
    const x2 = expNonPositiveF32x4Exact(d2);
    const x3 = expNonPositiveF32x4Exact(d3);
    const s01 = f32x4.add(lossExp(d0, x0), lossExp(d1, x1));
    const s23 = f32x4.add(lossExp(d2, x2), lossExp(d3, x3));
    a0 = addLow(a0, s01);
    a1 = addHigh(a1, s01);
    a2 = addLow(a2, s23);
    a3 = addHigh(a3, s23);
    if (wantExp) {
      b0 = addLow(addLow(b0, x0), x2);
      b1 = addHigh(addHigh(b1, x0), x2);
      b2 = addLow(addLow(b2, x1), x3);
      b3 = addHigh(addHigh(b3, x1), x3);
    }
  }
  // Fewer than 16 left: the metrics' last block of 8, the loss's blocks of 4.
  if (j + 8 <= c) {
    const o = p + ((<usize>j) << 2);
    const d0 = f32x4.sub(v128.load(o), mv);
    const d1 = f32x4.sub(v128.load(o, 16), mv);
    const x0 = expNonPositiveF32x4Exact(d0);
    const x1 = expNonPositiveF32x4Exact(d1);
    const e0 = lossExp(d0, x0);
    const e1 = lossExp(d1, x1);
    a0 = addLow(addLow(a0, e0), e1);
    a1 = addHigh(addHigh(a1, e0), e1);
    if (wantExp) {
      b0 = addLow(b0, x0);
      b1 = addHigh(b1, x0);
      b2 = addLow(b2, x1);
      b3 = addHigh(b3, x1);
    }
    j += 8;
  }
  let sm = 0.0;
  if (wantExp) {
    b0 = f64x2.add(f64x2.add(b0, b2), f64x2.add(b1, b3));
    sm = f64x2.extract_lane(b0, 0) + f64x2.extract_lane(b0, 1);
  }
  if (j + 4 <= c) {
    const d = f32x4.sub(v128.load(p + ((<usize>j) << 2)), mv);
    const x = expNonPositiveF32x4Exact(d);
    const e = lossExp(d, x);
    a0 = addLow(a0, e);
    a1 = addHigh(a1, e);
    if (wantExp) {
      sm += <f64>f32x4.extract_lane(x, 0);
      sm += <f64>f32x4.extract_lane(x, 1);
      sm += <f64>f32x4.extract_lane(x, 2);
      sm += <f64>f32x4.extract_lane(x, 3);
    }
    j += 4;
  }
  a0 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  for (; j < c; j++) {
    const v = load<f32>(p + ((<usize>j) << 2));
    s += Math.exp(<f64>v - <f64>mLoss);
    if (wantExp) sm += <f64>f32x4.extract_lane(expNonPositiveF32x4Exact(f32x4.splat(v - m)), 0);
  }
  metricExpSum = sm;
  return s;
}

/**
 * The loss of a row the fused loop does not share (one with NaN or an infinity): crossEntropy.ts's
 * rowLoss. Exported (not called from JS) so that the optimizer keeps it out of line: inlined, its
 * second copy of the exp loop made the fused function's machine code several times larger, and
 * the engine's optimizing compile of it took a good part of a short run's CPU.
 */
export function crossEntropyRowApart(p: usize, c: i32, t: i32, pw: usize, wt: f64, wSum: f64, eps: f64): f64 {
  return rowLoss(p, c, t, pw, wt, wSum, eps, true);
}

/**
 * crossEntropy.ts's classIndexLoss (cross-entropy, log-softmax always) and classRowStats.ts's
 * classRowStats over the same `rows` rows of `c` float32 logits at `px` and int32 targets at `pt`
 * (every `tStride` words), in one read of each row: the arguments, results and error return of the
 * first, then `wantExp`, `pBest`, `pRank`, `pExp` of the second. The same bits as the two calls.
 * One loop for both values of `wantExp` (a branch per block, not a second copy of the function).
 */
export function crossEntropyClassStats(
  px: usize,
  pt: usize,
  tStride: i32,
  rows: i32,
  c: i32,
  pw: usize,
  wSum: f64,
  ignoreIndex: f64,
  eps: f64,
  pout: usize,
  pres: usize,
  wantExp: bool,
  pBest: usize,
  pRank: usize,
  pExp: usize,
  pTally: usize,
): i32 {
  // The metrics' sums of these rows (see TALLY_* below), when pTally is not 0.
  const nBins = pTally != 0 ? <i32>load<f64>(pTally, TALLY_BINS) : 0;
  const k = pTally != 0 ? <i32>load<f64>(pTally, TALLY_K) : 0;
  let counted = 0.0;
  let correct = 0.0;
  let hits = 0.0;
  let s = 0.0;
  let sc = 0.0;
  let ws = 0.0;
  let wc = 0.0;
  const rowBytes = (<usize>c) << 2;
  for (let r = 0; r < rows; r++) {
    const p = px + <usize>r * rowBytes;
    const tAt = pt + ((<usize>(r * tStride)) << 2);
    const t = load<i32>(tAt);
    const ignored = <f64>t == ignoreIndex;
    let v = 0.0;
    let shared = false;
    if (!ignored) {
      if (t < 0 || t >= c) {
        store<f64>(pres, <f64>t, 16);
        return r;
      }
      const wt = pw != 0 ? load<f64>(pw + ((<usize>t) << 3)) : 1.0;
      // The loss's max; the first class scoring it is the argmax unless the row holds NaN, which
      // makes the loss's sum NaN (as does an infinity): such rows are done apart below.
      const m = rowMax(p, c);
      const best = firstEqual(p, c, m);
      // x[best], not m, for the metrics' exps (which may be the other zero): the same differences.
      const sum = fusedExpSums(p, c, load<f32>(p + ((<usize>best) << 2)), m, wantExp);
      if (sum == sum) {
        shared = true;
        store<i32>(pBest + ((<usize>r) << 2), best);
        // A target that is the first argmax has rank 0: nothing scores more, nothing before it as much.
        const rank = t != best ? targetRank(p, c, t) : 0;
        store<i32>(pRank + ((<usize>r) << 2), rank);
        if (wantExp) store<f64>(pExp + ((<usize>r) << 3), metricExpSum);
        if (pTally != 0) {
          counted += 1;
          if (best == t) correct += 1;
          if (rank < k) hits += 1;
          if (nBins > 0) tallyConfidence(pTally, nBins, 1 / metricExpSum, best == t);
        }
        // As crossEntropy.ts's rowLoss from here.
        const lse = Math.log(sum);
        const xt = <f64>load<f32>(p + ((<usize>t) << 2));
        v = -wt * (xt - <f64>m - lse);
        if (eps != 0) {
          const smooth = -(rowShiftedSum(p, c, pw, m) - wSum * lse);
          v = (1 - eps) * v + (eps / <f64>c) * smooth;
        }
      } else v = crossEntropyRowApart(p, c, t, pw, wt, wSum, eps);
      let u = s + v;
      sc += twoSumError(s, v, u);
      s = u;
      u = ws + wt;
      wc += twoSumError(ws, wt, u);
      ws = u;
    }
    // An ignored row (no loss to share it with), or one with NaN or an infinity: classRowStats
    // itself, for this one row (out of line too).
    if (!shared) {
      classRowStats(
        p,
        tAt,
        tStride,
        1,
        c,
        wantExp,
        pBest + ((<usize>r) << 2),
        pRank + ((<usize>r) << 2),
        pExp + ((<usize>r) << 3),
      );
      // A counted row apart (NaN or an infinity), or a NaN row even ignored: the metrics' own
      // loops then throw or count it as they do, over the per-row numbers.
      if (pTally != 0 && (!ignored || load<i32>(pBest + ((<usize>r) << 2)) < 0)) store<f64>(pTally, 1, TALLY_APART);
    }
    if (pout != 0) store<f32>(pout + ((<usize>r) << 2), <f32>v);
  }
  if (pTally != 0) {
    store<f64>(pTally, load<f64>(pTally, TALLY_COUNTED) + counted, TALLY_COUNTED);
    store<f64>(pTally, load<f64>(pTally, TALLY_CORRECT) + correct, TALLY_CORRECT);
    store<f64>(pTally, load<f64>(pTally, TALLY_HITS) + hits, TALLY_HITS);
  }
  store<f64>(pres, compensatedValue(s, sc));
  store<f64>(pres, compensatedValue(ws, wc), 8);
  return -1;
}

// The metrics' sums at pTally (float64 each, byte offsets): set by the caller, the bins and k;
// added to, the counted rows, those whose first argmax is the target, those whose target ranks
// below k, and a flag for a row the kernel did not count (then the sums are not used); from
// TALLY_HEAD on, calibrationError's state for nBins bins (counts[2·(nBins+1)] then compensated
// sums[2·(nBins+1)]), as src/metrics/calibrationError.ts's addSoftmaxConfidences adds them.
const TALLY_BINS = 0;
const TALLY_K = 8;
const TALLY_COUNTED = 16;
const TALLY_CORRECT = 24;
const TALLY_HITS = 32;
const TALLY_APART = 40;
const TALLY_HEAD = 48;

/**
 * addSoftmaxConfidences for one counted row's confidence `conf` in (0, 1]: its bin (edges b/nBins,
 * a slot of its own for 1), the bin's sample and correct counts, and its compensated Σ confidence,
 * the same float64 operations in the same order.
 */
function tallyConfidence(pTally: usize, nBins: i32, conf: f64, hit: bool): void {
  const n = <f64>nBins;
  let b = <i32>(conf * n);
  if (b > 0 && conf < <f64>b / n) b--;
  else if (b < nBins && conf >= <f64>(b + 1) / n) b++;
  const bins = <usize>(nBins + 1);
  const pc = pTally + TALLY_HEAD + ((<usize>b) << 3);
  store<f64>(pc, load<f64>(pc) + 1);
  if (hit) store<f64>(pc + (bins << 3), load<f64>(pc + (bins << 3)) + 1);
  const ps = pTally + TALLY_HEAD + (bins << 4) + ((<usize>b) << 4);
  const hi = load<f64>(ps);
  const sum = hi + conf;
  store<f64>(ps, load<f64>(ps, 8) + twoSumError(hi, conf, sum), 8);
  store<f64>(ps, sum);
}
