import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { numberOption } from '../options/optionChecks.js';
import { tallyAccuracy } from '../pass/classRowTally.js';
import { ignoreIndexOption } from '../tensor/classOperands.js';
import type { FloatArray, TensorInput } from '../tensor/tensor.js';
import {
  classificationOperands,
  IGNORED,
  layoutOf,
  nanScoreError,
  probabilityError,
} from './classificationOperands.js';
import { classRowStats } from './classRowStats.js';
import { type MetricState, metricStateFor } from './MetricState.js';
import { choiceOption, ignoreParam, scoresOption } from './metricOptions.js';
import { sigmoid } from './sampleScores.js';

/** Options of {@link accuracy}. */
export interface AccuracyOptions {
  /** Class-index targets (or binary targets) equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
  /** With 0/1 targets: a probability above the threshold predicts 1 (default 0.5; `>` as torchmetrics). */
  threshold?: number;
  /** `'logits'` (default; sigmoid before the threshold) or `'probabilities'` (0/1 targets only). */
  scores?: 'logits' | 'probabilities';
  /**
   * With 0/1 targets of shape `(N, L, …)`, what is counted: `'subset'` (default) a row whose every
   * label is right (scikit-learn's `accuracy_score`); `'elementwise'` each label of each row
   * (torchmetrics' `MultilabelAccuracy(average='micro')`); `'macro'` the mean over labels of each
   * label's accuracy (torchmetrics' `MultilabelAccuracy()` default, `average='macro'`). The same for
   * `(N)` binary input and ignored by class-index targets.
   */
  multilabel?: MultilabelMode;
}

/** How {@link accuracy} counts 0/1 targets of several labels per row. */
export type MultilabelMode = 'subset' | 'elementwise' | 'macro';

/** Every option accuracy takes. */
export const accuracyOptionKeys = optionKeys<AccuracyOptions>({
  ignoreIndex: true,
  threshold: true,
  scores: true,
  multilabel: true,
});

const NAME = 'accuracy';

/**
 * The mergeable state of {@link accuracy} (2 counts: correct, counted), added into `into` when
 * given. Bit-identical for any split of the rows.
 *
 * @example
 * const state = accuracyPartial(logits, labels);
 * accuracyPartial(moreLogits, moreLabels, {}, state);
 * finalizeMetric(state); // the fraction correct over both batches
 */
export function accuracyPartial(
  input: TensorInput,
  target: TensorInput,
  options: AccuracyOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, accuracyOptionKeys);
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const threshold = numberOption(
    NAME,
    'threshold',
    options.threshold,
    0.5,
    (t) => t >= 0 && t <= 1,
    'a number in [0, 1]',
  );
  const scores = scoresOption(NAME, options.scores);
  const multilabel = choiceOption<MultilabelMode>(
    NAME,
    'multilabel',
    options.multilabel,
    ['subset', 'elementwise', 'macro'],
    'subset',
  );
  const op = classificationOperands(NAME, input, target, ignoreIndex);
  const base = { ignoreIndex: ignoreParam(ignoreIndex), threshold, scores };
  // The default is left out of params, as before the option existed.
  const params = multilabel === 'subset' ? base : { ...base, multilabel };
  // Macro keeps (correct, counted) per label; the others one pair.
  const pairs = op.task === 'binary' && multilabel === 'macro' ? op.labels : 1;
  const state = metricStateFor(NAME, params, into, layoutOf(op), { counts: 2 * pairs });
  if (op.x instanceof Float64Array) state.dtype = 'float64';
  state.rows += op.rows;
  if (op.task === 'multiclass') {
    const { outer, inner, idx, stride, ignore } = op;
    const { best, tally } = classRowStats(op, false);
    // Counted by the cross-entropy kernel that computed the stats, when it could count every row.
    const counted = tallyAccuracy(tally, ignore);
    if (counted !== null) {
      state.counts[0]! += counted[0];
      state.counts[1]! += counted[1];
    } else countArgmaxHits(best, idx, stride, ignore, outer * inner, inner, state.counts);
  } else {
    const per = multilabel === 'subset' ? op.labels : 1;
    const labelPairs = multilabel === 'macro' ? op.labels : 1;
    countThresholdHits(op.x, op.y, op.labels, per, labelPairs, scores === 'logits', threshold, state.counts);
  }
  return state;
}

// The per-sample loops are functions of their own, so that the engine optimizes each loop alone
// (see calibrationError.ts's addSoftmaxConfidences). Each adds correct and counted samples to
// `counts[0]` and `counts[1]`.

/** Multiclass: the first argmax against the class index. */
function countArgmaxHits(
  best: Int32Array,
  idx: Int32Array,
  stride: number,
  ignore: number,
  samples: number,
  inner: number,
  counts: Float64Array,
): void {
  let correct = 0;
  let counted = 0;
  for (let i = 0; i < samples; i++) {
    const t = idx[i * stride]!;
    if (t === ignore) continue;
    const b = best[i]!;
    if (b < 0) throw nanScoreError(NAME, Math.floor(i / inner));
    counted++;
    if (b === t) correct++;
  }
  counts[0]! += correct;
  counts[1]! += counted;
}

/**
 * 0/1 targets: the thresholded score (a logit through the sigmoid, as scikit-learn would see it)
 * against the target. A sample is `per` consecutive labels (all of a row for subset accuracy, else
 * one), right when every non-ignored label is and counted when any label is; with `labelPairs` > 1
 * (macro) the sample's label `i mod labelPairs` picks its (correct, counted) pair.
 */
function countThresholdHits(
  x: FloatArray,
  y: Uint8Array,
  labels: number,
  per: number,
  labelPairs: number,
  logits: boolean,
  threshold: number,
  counts: Float64Array,
): void {
  let correct = 0;
  let counted = 0;
  for (let s = 0; s < x.length; s += per) {
    let seen = false;
    let right = true;
    for (let i = s; i < s + per; i++) {
      const yi = y[i]!;
      if (yi === IGNORED) continue;
      const z = x[i]!;
      if (Number.isNaN(z)) throw nanScoreError(NAME, Math.floor(i / labels));
      const p = logits ? sigmoid(z) : z;
      if (!logits && (p < 0 || p > 1)) throw probabilityError(NAME, Math.floor(i / labels), p);
      seen = true;
      if ((p > threshold ? 1 : 0) !== yi) right = false;
    }
    if (!seen) continue;
    if (labelPairs > 1) {
      const l = 2 * (s % labelPairs);
      counts[l]! += right ? 1 : 0;
      counts[l + 1]! += 1;
      continue;
    }
    counted++;
    if (right) correct++;
  }
  counts[0]! += correct;
  counts[1]! += counted;
}

/**
 * The fraction correct of a state: NaN for no counted rows (empty input, every target ignored).
 * Macro: the mean over labels with a counted sample of their fraction correct.
 */
export function accuracyValue(state: MetricState): number {
  const c = state.counts;
  if (c.length === 0) return Number.NaN;
  if (c.length === 2) return c[0]! / c[1]!;
  let sum = 0;
  let used = 0;
  for (let l = 0; l < c.length; l += 2) {
    if (c[l + 1] === 0) continue;
    sum += c[l]! / c[l + 1]!;
    used++;
  }
  return used === 0 ? Number.NaN : sum / used;
}

/**
 * Accuracy, as scikit-learn's `accuracy_score` / torchmetrics' `Accuracy(average='micro')`: the
 * fraction of samples whose argmax class (the first on ties, as `torch.argmax`) equals the class
 * index, or, with 0/1 targets of input's shape, of rows whose every thresholded label equals its
 * target (subset accuracy, `accuracy_score`'s multilabel rule; `multilabel: 'elementwise'` or
 * `'macro'` for torchmetrics' per-label forms). Ignored targets are skipped; NaN when nothing is counted.
 *
 * @example
 * accuracy(tensor(new Float32Array([2, 0.5, -1, 0.1, 0.2, 3]), [2, 3]), new Int32Array([0, 1])); // 0.5
 */
export function accuracy(input: TensorInput, target: TensorInput, options: AccuracyOptions = {}): number {
  return accuracyValue(accuracyPartial(input, target, options));
}
