// The scope in which one pass's losses and metrics share the classification metrics' per-sample
// numbers (and their target checks): a cross-entropy may compute them in its own read of the
// logits, every metric over the same operands then reads them. Neither losses nor metrics own it.

import { forgetCheckedTargets, shareClassTargets } from '../tensor/classOperands.js';
import type { FloatArray } from '../tensor/tensor.js';
import { type ClassRowTally, type ClassRowTallyRequest, newClassRowTally } from './classRowTally.js';

/**
 * What the class-index metrics need of each sample `i = n·inner + k`, from one read of its scores:
 * `best[i]` the first argmax (as `torch.argmax`), −1 when a score is NaN; `rank[i]` the target's
 * rank (classes scoring higher, plus lower-indexed classes scoring the same; not
 * meaningful for an ignored target); with `expSum`, Σ_c exp(x_c − x_best) in float64 (the softmax
 * denominator: the largest probability is its reciprocal) — for float32 scores from float32 exps
 * (src/metrics/float32ExpSum.ts, as torchmetrics computes a float32 softmax), for float64 scores from
 * float64 ones.
 */
export interface ClassRowStats {
  readonly best: Int32Array;
  readonly rank: Int32Array;
  readonly expSum: Float64Array | null;
  /** With stats a cross-entropy kernel computed: the metrics' sums over the rows (accuracy, top-k, calibration). */
  readonly tally?: ClassRowTally | undefined;
}

interface Shared {
  readonly x: FloatArray;
  readonly idx: Int32Array;
  readonly stride: number;
  readonly classes: number;
  readonly stats: ClassRowStats;
}

// Within shareClassRowStats: the stats computed so far, for operands over the same memory.
let shared: Shared[] | null = null;
let sharedWantsExp = false;
// Within shareClassRowStats with `fromLosses`: cross-entropy computes the stats in its own read.
let sharedFromLosses = false;
// Within shareClassRowStats with `tally`: what the loss kernel sums for the metrics.
let sharedTally: ClassRowTallyRequest | null = null;
// The arrays classRowStatsWanted handed out in the current scope, and those free for the next
// scope (a pass over batch after batch would otherwise allocate 16 bytes a sample per batch).
let lent: Spare[] = [];
let spare: Spare[] = [];
// At most this many stats are remembered, and lent, in one scope (see remember()).
const MAX_SHARED = 8;
const MAX_LENT = 8;

/** Remembers stats for the rest of the scope: only the latest few, as a loss and its metrics
 * share one or two operand pairs, while a `by` key with many values records one per group (looking
 * each up among all the earlier ones was quadratic in the groups). */
function remember(entry: Shared): void {
  if (shared === null) return;
  if (shared.length === MAX_SHARED) shared.shift();
  shared.push(entry);
}

interface Spare {
  readonly best: Int32Array;
  readonly rank: Int32Array;
  readonly expSum: Float64Array;
}

/**
 * Runs `fn` with the class-index metrics sharing their per-sample numbers: the metrics of one pass
 * over one batch (accuracy, top-k, calibration error, precision/recall/F1, the confusion matrix)
 * then read the scores once in all, the first of them computing for every sample what all need.
 * The operands must not change while `fn` runs (they are recognised by the memory they view).
 * `withExpSum`: whether a metric will need the softmax denominators (calibration error), so the
 * first read computes them too. Class-index targets are checked once per column in the scope too.
 *
 * @example
 * const states = shareClassRowStats(true, () => [accuracyPartial(x, t), calibrationErrorPartial(x, t)]);
 */
export function shareClassRowStats<T>(
  withExpSum: boolean,
  fn: () => T,
  options: ShareClassRowStatsOptions = {},
): T {
  const outer = shared;
  const outerWantsExp = sharedWantsExp;
  const outerFromLosses = sharedFromLosses;
  const outerTally = sharedTally;
  shared = [];
  sharedWantsExp = withExpSum;
  sharedFromLosses = options.fromLosses === true;
  sharedTally = options.tally ?? null;
  const outerLent = lent;
  lent = [];
  try {
    // The same target column is then checked (range, ignoreIndex) once for all.
    return shareClassTargets(fn);
  } finally {
    shared = outer;
    sharedWantsExp = outerWantsExp;
    sharedFromLosses = outerFromLosses;
    sharedTally = outerTally;
    // Nothing outside the scope sees the stats a loss computed in it: their arrays are free again.
    spare = lent.concat(spare).slice(0, 4);
    lent = outerLent;
  }
}

/** Options of {@link shareClassRowStats}. */
export interface ShareClassRowStatsOptions {
  /**
   * Whether `fn` also computes the losses of the pass, before the metrics: a cross-entropy of
   * class indices over float32 logits (rows of contiguous logits, the WebAssembly kernels) then
   * computes the metrics' per-sample numbers in its own read of the logits, sharing the exps, and
   * the metrics over the same logits and targets reuse them. The same bits as without. The
   * {@link ClassRowStats} that {@link classRowStats} returns in such a scope are valid until it
   * ends (their arrays then serve the next scope).
   */
  readonly fromLosses?: boolean;
  /**
   * With `fromLosses`: the bins of a calibration error of logits (only with `withExpSum`) and the
   * k of a top-k accuracy (0: none) in the pass; the loss kernel then also sums accuracy, top-k
   * and calibration counts as it reads the rows, and those metrics use the sums (the same bits).
   */
  readonly tally?: ClassRowTallyRequest | undefined;
}

/**
 * Inside {@link shareClassRowStats} with `fromLosses`, where no stats exist yet for these
 * operands: fresh arrays for a loss kernel to fill, `expSum` among them when the scope wants it,
 * a zeroed `tally` for targets equal to `ignore` skipped when it wants one (then hand them to {@link offerClassRowStats}); else `null`.
 */
export function classRowStatsWanted(
  x: Float32Array,
  idx: Int32Array,
  stride: number,
  classes: number,
  samples: number,
  ignore: number,
): ClassRowStats | null {
  if (shared === null || !sharedFromLosses) return null;
  // A `by` key with many values asks once per group: past a few sets in one scope the metrics
  // compute their own stats (the same bits), so memory stays bounded by the batch, not the groups.
  if (lent.length >= MAX_LENT) return null;
  if (sharedClassRowStats(x, idx, stride, classes, sharedWantsExp) !== undefined) return null;
  const at = spare.findIndex((a) => a.best.length >= samples);
  let arrays: Spare;
  if (at < 0) {
    const n = Math.max(samples, 1024);
    arrays = { best: new Int32Array(n), rank: new Int32Array(n), expSum: new Float64Array(n) };
  } else arrays = spare.splice(at, 1)[0]!;
  lent.push(arrays);
  return {
    best: arrays.best.subarray(0, samples),
    rank: arrays.rank.subarray(0, samples),
    expSum: sharedWantsExp ? arrays.expSum.subarray(0, samples) : null,
    tally:
      sharedTally === null
        ? undefined
        : newClassRowTally(sharedWantsExp ? sharedTally : { nBins: 0, k: sharedTally.k }, ignore),
  };
}

/**
 * Records stats a loss kernel computed (complete, for every sample) for these operands, for the
 * metrics of the same {@link shareClassRowStats} scope; outside one, nothing.
 */
export function offerClassRowStats(
  x: Float32Array,
  idx: Int32Array,
  stride: number,
  classes: number,
  stats: ClassRowStats,
): void {
  remember({ x, idx, stride, classes, stats });
}

/**
 * The stats recorded in the open scope for these operands (the same memory, classes and stride),
 * with `expSum` when `withExpSum`; `undefined` when none (or no scope is open).
 */
export function sharedClassRowStats(
  x: FloatArray,
  idx: Int32Array,
  stride: number,
  classes: number,
  withExpSum: boolean,
): ClassRowStats | undefined {
  for (const s of shared ?? []) {
    if (s.classes !== classes || s.stride !== stride || !sameView(s.x, x) || !sameView(s.idx, idx)) continue;
    if (withExpSum && s.stats.expSum === null) continue;
    return s.stats;
  }
  return undefined;
}

function sameView(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
}

/**
 * Tells the open {@link shareClassRowStats} scope that the memory of `buffer` now holds other
 * values: the stats and checked targets it remembers for operands viewing it are forgotten. A
 * caller that reuses one buffer for the operands of several calls in one scope must say so before
 * each reuse, or the later calls would be given the earlier operands' stats (rx's keyGroups
 * gathers the rows of each `by` key into the same buffers).
 *
 * @example
 * buffer.set(nextGroupRows);
 * forgetSharedOperands(buffer.buffer);
 */
export function forgetSharedOperands(buffer: ArrayBufferLike): void {
  if (shared === null) return;
  shared = shared.filter((s) => s.x.buffer !== buffer && s.idx.buffer !== buffer);
  forgetCheckedTargets(buffer);
}

/** Whether a {@link shareClassRowStats} scope is open, and whether it wants the softmax denominators. */
export function classRowStatsScope(): { readonly open: boolean; readonly wantsExp: boolean } {
  return { open: shared !== null, wantsExp: sharedWantsExp };
}

/** Records stats computed for these operands for the rest of the open scope (outside one, nothing). */
export function recordClassRowStats(
  x: FloatArray,
  idx: Int32Array,
  stride: number,
  classes: number,
  stats: ClassRowStats,
): void {
  remember({ x, idx, stride, classes, stats });
}
