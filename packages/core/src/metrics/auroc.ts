import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { ignoreIndexOption } from '../tensor/classOperands.js';
import type { TensorInput } from '../tensor/tensor.js';
import {
  classificationOperands,
  IGNORED,
  layoutOf,
  nanScoreError,
  probabilityError,
  undefinedSoftmaxError,
} from './classificationOperands.js';
import { type MetricState, metricStateFor } from './MetricState.js';
import { checkStateSize, choiceOption, ignoreParam, integerOption, scoresOption } from './metricOptions.js';
import { argmaxAt, expSumAt, sigmoid } from './sampleScores.js';

/** Options of {@link auroc}. */
export interface AurocOptions {
  /** Bins (thresholds) of the fixed grid (default 1000, 2 … 100000): more bins, a smaller error bound. */
  thresholds?: number;
  /**
   * `'logit'` (default): bins spread over the log-odds of the probability (see {@link logitBin}),
   * accurate for any class count and from flat to peaked models; `'linear'`: torchmetrics'
   * `thresholds=T` grid `j / (T − 1)` over [0, 1], which puts nearly every probability of a model
   * of many classes into its first bin.
   */
  grid?: 'logit' | 'linear';
  /** `'macro'` (default): the mean over classes (labels) with both positives and negatives; `'none'`: one per class. */
  average?: 'macro' | 'none';
  /** Targets equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
  /** `'logits'` (default; softmax / sigmoid first) or `'probabilities'`. */
  scores?: 'logits' | 'probabilities';
}

/** Every option auroc takes. */
export const aurocOptionKeys = optionKeys<AurocOptions>({
  thresholds: true,
  grid: true,
  average: true,
  ignoreIndex: true,
  scores: true,
});

const NAME = 'auroc';
const EMPTY_GRID = new Float64Array(0);

/**
 * The grid cell of a probability among `T` thresholds `j / (T − 1)`: the last `j` with
 * threshold_j ≤ p (so `p ≥ threshold_j` counts it positive at every threshold up to j).
 */
export function thresholdBin(p: number, T: number, grid: Float64Array = thresholdGrid(T)): number {
  const steps = T - 1;
  let j = Math.floor(p * steps);
  // The product can round across a threshold: compare with the thresholds themselves.
  if (j > 0 && p < grid[j]!) j--;
  else if (j < steps && p >= grid[j + 1]!) j++;
  return j < 0 ? 0 : Math.min(j, steps);
}

/** Octaves of min(p, 1 − p) the logit grid spans below ½ (float32's normal range, 2^−126 ≈ 1.2e−38). */
const LOW_OCTAVES = 126;
/** Octaves of 1 − p above ½ (float64 resolves 1 − p down to 2^−53). */
const HIGH_OCTAVES = 53;
/** Length of the octave scale: (126 − 1) + (53 − 1). */
const OCTAVE_SPAN = LOW_OCTAVES - 1 + HIGH_OCTAVES - 1;
/** Share of the logit grid's bins spread linearly over [0, 1] (resolution near ½, where log-odds are flat). */
const LINEAR_SHARE = 0.25;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** Index of the word holding a float64's sign, exponent and top 20 mantissa bits. */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The bin of a probability on the logit grid of `T` bins: `floor(T · (¼ · p + ¾ · o(p) / 177))`,
 * where o(p) places min(p, 1 − p) on a scale of octaves (log2, read from the float64's exponent and
 * top mantissa bits, linear within an octave): 0 at p ≤ 2^−126, 125 at p = ½, 177 at 1 − p ≤ 2^−53.
 * So bins are about equally wide in log-odds (0.16 nats at the default 1000) from 1e−38 to
 * 1 − 1e−16, plus a linear grid near ½. The map is monotone in p (every term is, and rounding
 * is), so pairs in different bins are ordered as their probabilities are: only pairs within a bin
 * are uncertain, which is what {@link aurocErrorBound} counts. Costs no logarithm.
 */
export function logitBin(p: number, T: number): number {
  const low = p <= 0.5;
  const q = low ? p : 1 - p; // exact for p in [½, 1] (Sterbenz)
  let octave: number;
  if (q > 0) {
    bits[0] = q;
    const hi = words[HIGH_WORD]!;
    octave = (hi >>> 20) - 1023 + (hi & 0xfffff) / 1048576;
  } else octave = Number.NEGATIVE_INFINITY; // also −0
  const s = low
    ? Math.max(octave, -LOW_OCTAVES) + LOW_OCTAVES
    : LOW_OCTAVES - 2 - Math.max(octave, -HIGH_OCTAVES);
  const j = Math.floor(T * (LINEAR_SHARE * p + ((1 - LINEAR_SHARE) * s) / OCTAVE_SPAN));
  return j < 0 ? 0 : j < T ? j : T - 1;
}

/** The thresholds `j / (T − 1)`, j = 0 … T − 1, and one more entry (1) past the last. */
export function thresholdGrid(T: number): Float64Array {
  const grid = new Float64Array(T + 1);
  for (let j = 0; j < T; j++) grid[j] = j / (T - 1);
  grid[T] = 1;
  return grid;
}

/**
 * The mergeable state of {@link auroc}: per class (label) two histograms of the probabilities over
 * the grid's bins, positives and negatives: 2 · C · thresholds integer counts (float64, 8 bytes
 * each: 16 MB for 1000 classes at the default 1000 bins, 16 KB for a binary task; states over
 * 16 Mi counts are refused). Bit-identical for any split.
 *
 * @example
 * finalizeMetric(aurocPartial(logits, labels, { thresholds: 1000 }));
 */
export function aurocPartial(
  input: TensorInput,
  target: TensorInput,
  options: AurocOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, aurocOptionKeys);
  const thresholds = integerOption(NAME, 'thresholds', options.thresholds, 1000, 2, 100000);
  const gridKind = choiceOption(NAME, 'grid', options.grid, ['logit', 'linear'], 'logit');
  const average = choiceOption(NAME, 'average', options.average, ['macro', 'none'], 'macro');
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const scores = scoresOption(NAME, options.scores);
  const op = classificationOperands(NAME, input, target, ignoreIndex);
  const width = op.task === 'multiclass' ? op.classes : op.labels;
  const T = thresholds;
  checkStateSize(
    NAME,
    2 * width * T,
    `2 × ${width} classes × ${T} thresholds`,
    'Lower thresholds (or the class count).',
  );
  const params = { thresholds, grid: gridKind, average, ignoreIndex: ignoreParam(ignoreIndex), scores };
  const state = metricStateFor(NAME, params, into, layoutOf(op), { counts: 2 * width * T });
  if (op.x instanceof Float64Array) state.dtype = 'float64';
  state.rows += op.rows;
  const counts = state.counts;
  const logits = scores === 'logits';
  const linear = gridKind === 'linear';
  const grid = linear ? thresholdGrid(T) : EMPTY_GRID;
  // Class c's positives at [2c·T, (2c+1)·T), its negatives at [(2c+1)·T, (2c+2)·T).
  if (op.task === 'multiclass') {
    const { x, outer, classes, inner, idx, stride, ignore } = op;
    // The softmax terms of one sample, computed once (one buffer per batch, none per row).
    const terms = new Float64Array(classes);
    for (let n = 0; n < outer; n++) {
      for (let k = 0; k < inner; k++) {
        const base = n * classes * inner + k;
        const t = idx[(n * inner + k) * stride]!;
        if (t === ignore) continue;
        const best = argmaxAt(x, base, classes, inner);
        if (best < 0) throw nanScoreError(NAME, n);
        const max = x[base + best * inner]!;
        const s = logits ? expSumAt(x, base, classes, inner, max, terms) : 1;
        // A +∞ logit (or all −∞) leaves the softmax undefined: no threshold bin holds a NaN.
        if (Number.isNaN(s)) throw undefinedSoftmaxError(NAME, n);
        for (let c = 0; c < classes; c++) {
          const v = x[base + c * inner]!;
          const p = logits ? terms[c]! / s : v;
          if (!logits && (p < 0 || p > 1)) throw probabilityError(NAME, n, p);
          counts[(2 * c + (c === t ? 0 : 1)) * T + (linear ? thresholdBin(p, T, grid) : logitBin(p, T))]!++;
        }
      }
    }
  } else {
    const { x, y, labels } = op;
    for (let i = 0; i < x.length; i++) {
      const yi = y[i]!;
      if (yi === IGNORED) continue;
      const z = x[i]!;
      if (Number.isNaN(z)) throw nanScoreError(NAME, Math.floor(i / labels));
      const p = logits ? sigmoid(z) : z;
      if (p < 0 || p > 1) throw probabilityError(NAME, Math.floor(i / labels), p);
      counts[
        (2 * (i % labels) + (yi === 1 ? 0 : 1)) * T + (linear ? thresholdBin(p, T, grid) : logitBin(p, T))
      ]!++;
    }
  }
  return state;
}

/**
 * Per class: the binned AUROC and its error bound, or NaN for a class without positives or
 * negatives. Within a bin a positive and a negative count half (a tie): the exact AUROC differs by
 * at most Σ_b pos_b·neg_b / (2·P·N).
 */
function perClass(state: MetricState): { auc: number[]; bound: number[] } {
  const T = state.params.thresholds as number;
  const counts = state.counts;
  const width = counts.length / (2 * T);
  const auc: number[] = [];
  const bound: number[] = [];
  for (let c = 0; c < width; c++) {
    const pos = 2 * c * T;
    const neg = (2 * c + 1) * T;
    let above = 0;
    let area = 0;
    let ties = 0;
    let negatives = 0;
    for (let b = T - 1; b >= 0; b--) {
      const p = counts[pos + b]!;
      const q = counts[neg + b]!;
      area += q * (above + p / 2);
      ties += p * q;
      above += p;
      negatives += q;
    }
    const pairs = above * negatives;
    auc.push(pairs === 0 ? Number.NaN : area / pairs);
    bound.push(pairs === 0 ? Number.NaN : ties / (2 * pairs));
  }
  return { auc, bound };
}

function macro(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** The AUROC of a state (per class with `average: 'none'`). */
export function aurocValue(state: MetricState): number | number[] {
  const { auc } = perClass(state);
  return state.params.average === 'none' ? auc : macro(auc);
}

/**
 * The largest possible difference between {@link aurocValue} and the exact AUROC of the same rows
 * (scikit-learn's `roc_auc_score`): Σ_b pos_b·neg_b / (2·P·N) per class, pairs of a positive and a
 * negative in the same bin being the only ones the grid cannot order; the macro mean of those for
 * `average: 'macro'`. 0 means the binned value is exact.
 *
 * @example
 * const state = aurocPartial(logits, labels);
 * aurocErrorBound(state); // e.g. 0.0004
 */
export function aurocErrorBound(state: MetricState): number | number[] {
  const { bound } = perClass(state);
  return state.params.average === 'none' ? bound : macro(bound);
}

/**
 * Area under the ROC curve, streaming: one-vs-rest per class from softmax probabilities (class
 * indices), or per label from sigmoid probabilities (0/1 targets), macro-averaged as
 * scikit-learn's `roc_auc_score(multi_class='ovr', average='macro')`. Probabilities are binned on
 * a fixed grid of `thresholds` bins (default 1000) spread over their log-odds ({@link logitBin};
 * `grid: 'linear'` gives torchmetrics' `AUROC(thresholds=T)` grid), ties in a bin counting half,
 * so the state is bounded and merges exactly; the difference to the exact value is at most
 * {@link aurocErrorBound} (0 when no bin holds both a positive and a negative). A class without
 * positives or negatives has no AUROC and is left out of the macro mean (NaN when none has one).
 *
 * @example
 * auroc(logits, labels); // multiclass one-vs-rest macro
 * auroc(scores, labels01, { thresholds: 4000 }); // binary, a 4× smaller error bound
 */
export function auroc(
  input: TensorInput,
  target: TensorInput,
  options: AurocOptions = {},
): number | number[] {
  return aurocValue(aurocPartial(input, target, options));
}
