import { LossError } from '../LossError.js';
import { twoSumError } from '../state/compensatedSum.js';
import type { FloatDType } from '../state/LossState.js';
import { carry, EXACT_LAYOUT } from './exactSum.js';

/** A metric's resolved options that shape its state and its final value (`average`, `k`, `nBins`, …). */
export type MetricParams = Readonly<Record<string, string | number | boolean>>;

/**
 * The mergeable partial result of a metric over some rows, the metrics' counterpart of `LossState`.
 * Three kinds of slots, each merged so that a split of the rows into batches does not change the
 * value:
 *
 * - `counts`: integer counts (correct predictions, per-class tp/fp/fn, confusion cells, histogram
 *   bins) held exactly in float64 up to 2^53, so merging is exact, associative and commutative and
 *   any batch split gives bit-identical results with layout `elements:exact` (`mae`, `rmse`) they
 *   also hold an exact float64 sum's digits (`exactSum.ts`), as split-independent;
 * - `sums`: float64 sums as compensated pairs (`sums[2i]` the sum, `sums[2i + 1]` its rounding
 *   error), as `LossState`'s: the same bits for any thread count, within ~1 ulp for another batch split;
 * - `moments`: blocks of {@link MOMENT_BLOCK} (count, means, centred sums of squares, co-moment
 *   and residual sum of squares, scaled by powers of two) combined with Chan et al.'s pairwise
 *   update, numerically stable where naive sums of squares cancel and at any magnitude (`r2`,
 *   `pearson`, one block per output); another batch split moves them by up to ~1e-13 relative
 *   (the same bits for any thread count).
 *
 * Sizes are fixed by the metric's options and the first batch's class count (`layout`); each
 * metric's JSDoc states its size. A state's arrays are allocated once; accumulate batches into it
 * with the `…Partial` functions' `into` argument.
 */
export interface MetricState {
  /** The `@lossflow/core` metric function that produced it (`accuracy`); states of different metrics do not merge. */
  readonly metric: string;
  /** The options that shape the state and its value; states with different params do not merge. */
  readonly params: MetricParams;
  /**
   * What the first batch fixed (task and class count, `multiclass:10`, `binary:3`); `''` while the
   * state has seen no batch, when its arrays are empty.
   */
  layout: string;
  /** Float type of the scores: `float32` only while every batch had float32 scores (perplexity rounds to it). */
  dtype: FloatDType;
  /** Size of dimension 0 seen so far (ignored targets included). */
  rows: number;
  counts: Float64Array;
  sums: Float64Array;
  moments: Float64Array;
}

/** An empty state of `metric` (the identity of {@link mergeMetricStates}). */
export function createMetricState(metric: string, params: MetricParams = {}): MetricState {
  return {
    metric,
    params,
    layout: '',
    dtype: 'float32',
    rows: 0,
    counts: EMPTY,
    sums: EMPTY,
    moments: EMPTY,
  };
}

const EMPTY = new Float64Array(0);

/**
 * The state a `…Partial` call adds to: `into` (checked to be `metric`'s with the same params) or a
 * new one, with its arrays sized for `layout` (checked against the layout `into` already has).
 */
export function metricStateFor(
  metric: string,
  params: MetricParams,
  into: MetricState | undefined,
  layout: string,
  sizes: { counts?: number; sums?: number; moments?: number },
): MetricState {
  const state = into ?? createMetricState(metric, params);
  if (into !== undefined) checkMergeable(into, metric, params, 'into');
  if (state.layout === '') {
    state.layout = layout;
    state.counts = new Float64Array(sizes.counts ?? 0);
    state.sums = new Float64Array(2 * (sizes.sums ?? 0));
    state.moments = new Float64Array(MOMENT_BLOCK * (sizes.moments ?? 0));
  } else if (state.layout !== layout) throw layoutError(metric, state.layout, layout);
  return state;
}

/**
 * Adds `value` to the compensated sum at slot `i` of `sums` (TwoSum, branch-free, no allocation).
 */
export function addSum(sums: Float64Array, i: number, value: number): void {
  const hi = sums[2 * i]!;
  const s = hi + value;
  sums[2 * i + 1]! += twoSumError(hi, value, s);
  sums[2 * i] = s;
}

/** The value of the compensated sum at slot `i` (NaN and ±Infinity kept). */
export function sumAt(sums: Float64Array, i: number): number {
  const hi = sums[2 * i]!;
  return Number.isFinite(hi) ? hi + sums[2 * i + 1]! : hi;
}

/**
 * Numbers in one moments block: `[n, meanA, meanB, m2A, m2B, cAB, res, eA, eB, kA, kB]` — count,
 * means (as offsets from kA and kB), the centred sums of squares, co-moment and Σ (B − A)² of the
 * values divided by 2^eA (A) and 2^eB (B, and the residual), powers of two near their largest
 * magnitude, and the shifts kA and kB: a value of the rows (the first), so that a mean far from 0
 * (timestamps near 1.7e12 that vary by 1) keeps the digits of its offset, which a merge's
 * difference of means needs; a mean stored as it is would round at its own magnitude.
 */
export const MOMENT_BLOCK = 11;

/**
 * The exponent of a moments block whose values are all zero (below any real exponent, ±1020): it
 * never sets the common exponent of a merge.
 */
export const NO_MAGNITUDE = -2000;

/**
 * Combines the moments block of other rows (`from` at `j`) into `into` at `i` (Chan, Golub &
 * LeVeque's pairwise update): centred sums are shifted by the difference of the means instead of
 * subtracting large sums of squares. The block with the smaller scale is first rescaled to the
 * larger one (powers of two: exact unless a negligible part underflows).
 */
export function addMoments(into: Float64Array, i: number, from: ArrayLike<number>, j: number): void {
  const nb = from[j]!;
  if (nb === 0) return;
  const na = into[i]!;
  if (na === 0) {
    for (let k = 0; k < MOMENT_BLOCK; k++) into[i + k] = from[j + k]!;
    return;
  }
  const eA = Math.max(into[i + 7]!, from[j + 7]!);
  const eB = Math.max(into[i + 8]!, from[j + 8]!);
  // Scales taking each side's sums to the common exponents (1 for the larger side; 0 for a side of
  // zeros, whose sums are 0). Two sides of zeros keep NO_MAGNITUDE and scale by 1.
  const ia = eA === NO_MAGNITUDE ? 1 : 2 ** (into[i + 7]! - eA);
  const ib = eB === NO_MAGNITUDE ? 1 : 2 ** (into[i + 8]! - eB);
  const fa = eA === NO_MAGNITUDE ? 1 : 2 ** (from[j + 7]! - eA);
  const fb = eB === NO_MAGNITUDE ? 1 : 2 ** (from[j + 8]! - eB);
  const sA = eA === NO_MAGNITUDE ? 1 : 2 ** -eA;
  const sB = eB === NO_MAGNITUDE ? 1 : 2 ** -eB;
  const n = na + nb;
  // The difference of the means: of the offsets, plus of the shifts (exactly, as hi + lo).
  const dA = meanDifference(from[j + 1]! * sA - into[i + 1]! * sA, from[j + 9]! * sA, into[i + 9]! * sA);
  const dB = meanDifference(from[j + 2]! * sB - into[i + 2]! * sB, from[j + 10]! * sB, into[i + 10]! * sB);
  const f = (na * nb) / n;
  into[i] = n;
  into[i + 1] = (into[i + 1]! * sA + (dA * nb) / n) / sA;
  into[i + 2] = (into[i + 2]! * sB + (dB * nb) / n) / sB;
  into[i + 3] = into[i + 3]! * ia * ia + from[j + 3]! * fa * fa + dA * dA * f;
  into[i + 4] = into[i + 4]! * ib * ib + from[j + 4]! * fb * fb + dB * dB * f;
  into[i + 5] = into[i + 5]! * ia * ib + from[j + 5]! * fa * fb + dA * dB * f;
  into[i + 6] = into[i + 6]! * ib * ib + from[j + 6]! * fb * fb;
  into[i + 7] = eA;
  into[i + 8] = eB;
}

/** `offsets + (kFrom − kInto)`, the shifts' difference taken exactly (two-sum) before the rounding. */
function meanDifference(offsets: number, kFrom: number, kInto: number): number {
  const hi = kFrom - kInto;
  if (!Number.isFinite(hi)) return offsets + hi;
  return offsets + twoSumError(kFrom, -kInto, hi) + hi;
}

/**
 * Adds everything `from` holds into `into` (mutating and returning it): counts exactly, sums with
 * compensation, moments with Chan's update. Throws `STATE_MISMATCH` for another metric, other
 * params or another layout (class count).
 */
export function mergeMetricInto(into: MetricState, from: MetricState): MetricState {
  checkMergeable(into, from.metric, from.params, 'state');
  if (from.dtype === 'float64') into.dtype = 'float64';
  into.rows += from.rows;
  if (from.layout === '') return into;
  if (into.layout === '') {
    into.layout = from.layout;
    into.counts = from.counts.slice();
    into.sums = from.sums.slice();
    into.moments = from.moments.slice();
    return into;
  }
  if (into.layout !== from.layout) throw layoutError(into.metric, into.layout, from.layout);
  const c = into.counts;
  const fc = from.counts;
  for (let k = 0; k < c.length; k++) c[k]! += fc[k]!;
  // Exact sums' digits are counts too, carried after each merge so that they stay below 2^53.
  if (into.layout === EXACT_LAYOUT) carry(c, 1);
  const s = into.sums;
  const fs = from.sums;
  for (let k = 0; k < s.length; k += 2) {
    addSum(s, k / 2, fs[k]!);
    s[k + 1]! += fs[k + 1]!;
  }
  for (let k = 0; k < into.moments.length; k += MOMENT_BLOCK) addMoments(into.moments, k, from.moments, k);
  return into;
}

/**
 * A new state of `a`'s rows followed by `b`'s. Exact (associative, commutative) for counts; ~1 ulp
 * for sums; Chan's update (up to ~1e-13 relative, by merge order) for moments.
 *
 * @example
 * const total = mergeMetricStates(accuracyPartial(x1, y1), accuracyPartial(x2, y2));
 * finalizeMetric(total); // === accuracy over the rows of both batches
 */
export function mergeMetricStates(a: MetricState, b: MetricState): MetricState {
  return mergeMetricInto(mergeMetricInto(createMetricState(a.metric, a.params), a), b);
}

function checkMergeable(into: MetricState, metric: string, params: MetricParams, argument: string): void {
  if (into.metric !== metric) {
    throw new LossError('STATE_MISMATCH', `cannot merge a '${metric}' state into a '${into.metric}' state`, {
      loss: into.metric,
      argument,
      hint: 'Merge only states produced by the same metric function.',
    });
  }
  if (!sameParams(into.params, params)) {
    throw new LossError(
      'STATE_MISMATCH',
      `cannot merge states with different options (${showParams(params)} into ${showParams(into.params)})`,
      { loss: metric, argument, hint: 'Compute every batch with the same metric options.' },
    );
  }
}

function sameParams(a: MetricParams, b: MetricParams): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function showParams(p: MetricParams): string {
  const s = Object.entries(p)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  return `{ ${s} }`;
}

function layoutError(metric: string, had: string, got: string): LossError {
  return new LossError(
    'STATE_MISMATCH',
    `a batch of layout '${got}' cannot join a state of layout '${had}'`,
    {
      loss: metric,
      hint: 'Every batch of one metric needs the same task (class indices vs 0/1 targets) and class (label) count.',
    },
  );
}
