import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { tallyBins } from '../pass/classRowTally.js';
import { ignoreIndexOption } from '../tensor/classOperands.js';
import type { FloatArray, TensorInput } from '../tensor/tensor.js';
import {
  classificationOperands,
  IGNORED,
  layoutOf,
  nanScoreError,
  probabilityError,
  undefinedSoftmaxError,
} from './classificationOperands.js';
import { classRowStats } from './classRowStats.js';
import { addSum, type MetricState, metricStateFor, sumAt } from './MetricState.js';
import { choiceOption, ignoreParam, integerOption, scoresOption } from './metricOptions.js';
import { sigmoid } from './sampleScores.js';

/** Options of {@link calibrationError}. */
export interface CalibrationErrorOptions {
  /** Equal-width confidence bins over [0, 1] (default 15, at most 100000). */
  nBins?: number;
  /** `'l1'` (default): expected calibration error; `'max'`: maximum calibration error; `'l2'`: RMS calibration error. */
  norm?: 'l1' | 'max' | 'l2';
  /** Targets equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
  /** `'logits'` (default; softmax / sigmoid first) or `'probabilities'`. */
  scores?: 'logits' | 'probabilities';
}

/** Every option calibrationError takes. */
export const calibrationErrorOptionKeys = optionKeys<CalibrationErrorOptions>({
  nBins: true,
  norm: true,
  ignoreIndex: true,
  scores: true,
});

const NAME = 'calibrationError';

/**
 * The slot of a confidence in [0, 1] with edges `b/nBins`: `b` where `b/nBins ≤ p < (b+1)/nBins`,
 * and `nBins` (a slot of its own) for exactly 1 — torchmetrics 1.x `_binning_bucketize`,
 * `bucketize(conf, linspace(0, 1, n_bins + 1), right=True) - 1` over `n_bins + 1` slots.
 * `edges` are {@link binEdges}`(nBins)` (looked up rather than divided: a loop over a batch's rows
 * passes them once).
 */
export function confidenceBin(p: number, nBins: number, edges: Float64Array = binEdges(nBins)): number {
  let b = Math.floor(p * nBins);
  // The product can round across an edge: compare with the edges themselves. (Past the table, only
  // for p outside [0, 1], the comparisons are false and the clamp below decides, as it would.)
  if (b > 0 && p < edges[b]!) b--;
  else if (b < nBins && p >= edges[b + 1]!) b++;
  return b < 0 ? 0 : Math.min(b, nBins);
}

// The edges binEdges made last: a pass asks for the same nBins batch after batch.
let lastEdges = new Float64Array(0);

/** `b / nBins` for b = 0 … nBins + 1 (the same float64 values as the divisions). */
export function binEdges(nBins: number): Float64Array {
  if (lastEdges.length !== nBins + 2) {
    const edges = new Float64Array(nBins + 2);
    for (let b = 0; b < edges.length; b++) edges[b] = b / nBins;
    lastEdges = edges;
  }
  return lastEdges;
}

/**
 * The mergeable state of {@link calibrationError}: per confidence bin a sample count and a correct
 * count (exact) and a compensated Σ confidence, over nBins + 1 slots (the last one holds confidences
 * of exactly 1): 4·(nBins + 1) float64.
 *
 * @example
 * finalizeMetric(calibrationErrorPartial(logits, labels, { nBins: 15 }));
 */
export function calibrationErrorPartial(
  input: TensorInput,
  target: TensorInput,
  options: CalibrationErrorOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, calibrationErrorOptionKeys);
  const nBins = integerOption(NAME, 'nBins', options.nBins, 15, 1, 100000);
  const norm = choiceOption(NAME, 'norm', options.norm, ['l1', 'max', 'l2'], 'l1');
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const scores = scoresOption(NAME, options.scores);
  const op = classificationOperands(NAME, input, target, ignoreIndex);
  const params = { nBins, norm, ignoreIndex: ignoreParam(ignoreIndex), scores };
  // torchmetrics' n_bins + 1 slots: a confidence of exactly 1 has its own.
  const bins = nBins + 1;
  const state = metricStateFor(NAME, params, into, layoutOf(op), { counts: 2 * bins, sums: bins });
  if (op.x instanceof Float64Array) state.dtype = 'float64';
  state.rows += op.rows;
  const { counts, sums } = state;
  const logits = scores === 'logits';
  if (op.task === 'multiclass') {
    const { x, outer, classes, inner, idx, stride, ignore } = op;
    const { best, expSum, tally } = classRowStats(op, logits);
    const edges = binEdges(nBins);
    const samples = outer * inner;
    // Binned by the cross-entropy kernel that computed the stats, when it could bin every row: its
    // sums start at zero as a fresh state's, so they are the state (into a given state, the loop
    // adds them one by one).
    const binned = logits && into === undefined ? tallyBins(tally, ignore, nBins) : null;
    if (binned !== null) {
      counts.set(binned.counts);
      sums.set(binned.sums);
    }
    // By the option, not by whether exps came: stats shared in a pass may carry exps a logits
    // metric wanted, and probabilities are not to be read as logits.
    else if (logits)
      addSoftmaxConfidences(best, expSum!, idx, stride, ignore, samples, inner, nBins, edges, counts, sums);
    else addTopProbabilities(x, classes, best, idx, stride, ignore, samples, inner, edges, counts, sums);
  } else {
    // Binary: the positive probability is the confidence and the 0/1 target the accuracy (torchmetrics' binary form).
    addBinaryConfidences(op.x, op.y, op.labels, logits, binEdges(nBins), counts, sums);
  }
  return state;
}

// The per-sample loops live in small functions of their own: the engine optimizes a loop while it
// runs (on-stack replacement), and inside calibrationErrorPartial it compiled the option checks and
// operand building around it too, then threw that code away at the next batch for want of type
// feedback on them and compiled it all again (in every worker thread). Each bin's count and
// compensated sum get the same additions in the same order as before.

/**
 * Multiclass confidences from the softmax denominators (the largest probability is
 * 1 / Σ exp(z_c − z_max)) binned into `counts` (samples, then correct ones) and `sums`.
 */
function addSoftmaxConfidences(
  best: Int32Array,
  expSum: Float64Array,
  idx: Int32Array,
  stride: number,
  ignore: number,
  samples: number,
  inner: number,
  nBins: number,
  edges: Float64Array,
  counts: Float64Array,
  sums: Float64Array,
): void {
  const bins = nBins + 1;
  // Each row adds into its bin's arrays. Holding the latest bin in locals (written back when the
  // bin changes) measured slower: on the bench's training log consecutive rows change bin 88% of
  // the time, so there is little chain to break and the extra branch mispredicts.
  for (let i = 0; i < samples; i++) {
    const t = idx[i * stride]!;
    if (t === ignore) continue;
    const top = best[i]!;
    if (top < 0) throw nanScoreError(NAME, Math.floor(i / inner));
    const conf = 1 / expSum[i]!;
    // A row whose largest logit is +∞ (or whose logits are all −∞) has a NaN sum: no bin holds it.
    if (Number.isNaN(conf)) throw undefinedSoftmaxError(NAME, Math.floor(i / inner));
    // confidenceBin for a confidence in (0, 1] (the sum is at least e^0), the slot an int32 from
    // the start: as a float64 it was converted and checked at each of its six uses.
    let b = (conf * nBins) | 0;
    if (b > 0 && conf < edges[b]!) b--;
    else if (b < nBins && conf >= edges[b + 1]!) b++;
    counts[b]!++;
    if (top === t) counts[bins + b]!++;
    addSum(sums, b, conf);
  }
}

/** As {@link addSoftmaxConfidences}, the confidence being the top class's given probability. */
function addTopProbabilities(
  x: FloatArray,
  classes: number,
  best: Int32Array,
  idx: Int32Array,
  stride: number,
  ignore: number,
  samples: number,
  inner: number,
  edges: Float64Array,
  counts: Float64Array,
  sums: Float64Array,
): void {
  const nBins = edges.length - 2;
  const bins = nBins + 1;
  for (let i = 0; i < samples; i++) {
    const t = idx[i * stride]!;
    if (t === ignore) continue;
    const top = best[i]!;
    if (top < 0) throw nanScoreError(NAME, Math.floor(i / inner));
    const n = Math.floor(i / inner);
    const conf = x[(n * classes + top) * inner + (i - n * inner)]!;
    if (conf < 0 || conf > 1) throw probabilityError(NAME, n, conf);
    const b = confidenceBin(conf, nBins, edges);
    counts[b]!++;
    if (top === t) counts[bins + b]!++;
    addSum(sums, b, conf);
  }
}

/** Binary confidences (the positive probability) against 0/1 targets, binned as the multiclass ones. */
function addBinaryConfidences(
  x: FloatArray,
  y: Uint8Array,
  labels: number,
  logits: boolean,
  edges: Float64Array,
  counts: Float64Array,
  sums: Float64Array,
): void {
  const nBins = edges.length - 2;
  const bins = nBins + 1;
  for (let i = 0; i < x.length; i++) {
    const yi = y[i]!;
    if (yi === IGNORED) continue;
    const z = x[i]!;
    if (Number.isNaN(z)) throw nanScoreError(NAME, Math.floor(i / labels));
    const p = logits ? sigmoid(z) : z;
    if (p < 0 || p > 1) throw probabilityError(NAME, Math.floor(i / labels), p);
    const b = confidenceBin(p, nBins, edges);
    counts[b]!++;
    counts[bins + b]! += yi;
    addSum(sums, b, p);
  }
}

/**
 * The calibration error of a state under its `norm`: with `prop_b` the fraction of samples in bin
 * b, `acc_b` their accuracy and `conf_b` their mean confidence, `'l1'` is Σ prop_b·|acc_b − conf_b|,
 * `'max'` max_b |acc_b − conf_b|, `'l2'` √(Σ prop_b·(acc_b − conf_b)²). NaN for no samples.
 */
export function calibrationErrorValue(state: MetricState): number {
  const bins = state.counts.length / 2;
  let total = 0;
  for (let b = 0; b < bins; b++) total += state.counts[b]!;
  if (total === 0) return Number.NaN;
  const norm = state.params.norm;
  let out = 0;
  for (let b = 0; b < bins; b++) {
    const count = state.counts[b]!;
    if (count === 0) continue;
    const gap = Math.abs(state.counts[bins + b]! / count - sumAt(state.sums, b) / count);
    if (norm === 'max') out = Math.max(out, gap);
    else if (norm === 'l2') out += gap * gap * (count / total);
    else out += gap * (count / total);
  }
  return norm === 'l2' ? Math.sqrt(out) : out;
}

/**
 * Calibration error of classification scores, as torchmetrics' `MulticlassCalibrationError` /
 * `BinaryCalibrationError` (`n_bins`, `norm`): confidences (the largest softmax probability, or the
 * positive probability for 0/1 targets) in equal-width bins with edges b/nBins (float64), compared
 * with the accuracy in each bin. `norm: 'l1'` is the expected calibration error (ECE), `'max'` the
 * maximum (MCE). Bins are closed on the left, `[b/nBins, (b+1)/nBins)`, and a confidence of exactly 1
 * has a bin of its own, as torchmetrics 1.x (`_binning_bucketize`, `bucketize(…, right=True) - 1`).
 *
 * @example
 * calibrationError(logits, labels, { nBins: 15 }); // ECE
 * calibrationError(logits, labels, { norm: 'max' }); // MCE
 */
export function calibrationError(
  input: TensorInput,
  target: TensorInput,
  options: CalibrationErrorOptions = {},
): number {
  return calibrationErrorValue(calibrationErrorPartial(input, target, options));
}
