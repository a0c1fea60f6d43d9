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
import { ignoreParam, scoresOption } from './metricOptions.js';
import { sigmoid } from './sampleScores.js';

/** Options of {@link accuracy}. */
export interface AccuracyOptions {
  /** Class-index targets (or binary targets) equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
  /** With 0/1 targets: a probability ≥ threshold predicts 1 (default 0.5). */
  threshold?: number;
  /** `'logits'` (default; sigmoid before the threshold) or `'probabilities'` (0/1 targets only). */
  scores?: 'logits' | 'probabilities';
}

/** Every option accuracy takes. */
export const accuracyOptionKeys = optionKeys<AccuracyOptions>({
  ignoreIndex: true,
  threshold: true,
  scores: true,
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
  const op = classificationOperands(NAME, input, target, ignoreIndex);
  const params = { ignoreIndex: ignoreParam(ignoreIndex), threshold, scores };
  const state = metricStateFor(NAME, params, into, layoutOf(op), { counts: 2 });
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
    countThresholdHits(op.x, op.y, op.labels, scores === 'logits', threshold, state.counts);
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
    const b = best[i]!;
    if (b < 0) throw nanScoreError(NAME, Math.floor(i / inner));
    const t = idx[i * stride]!;
    if (t === ignore) continue;
    counted++;
    if (b === t) correct++;
  }
  counts[0]! += correct;
  counts[1]! += counted;
}

/** 0/1 targets: the thresholded score (a logit through the sigmoid, as scikit-learn would see it) against the target. */
function countThresholdHits(
  x: FloatArray,
  y: Uint8Array,
  labels: number,
  logits: boolean,
  threshold: number,
  counts: Float64Array,
): void {
  let correct = 0;
  let counted = 0;
  for (let i = 0; i < x.length; i++) {
    const z = x[i]!;
    if (Number.isNaN(z)) throw nanScoreError(NAME, Math.floor(i / labels));
    const yi = y[i]!;
    if (yi === IGNORED) continue;
    const p = logits ? sigmoid(z) : z;
    if (!logits && (p < 0 || p > 1)) throw probabilityError(NAME, Math.floor(i / labels), p);
    counted++;
    if ((p >= threshold ? 1 : 0) === yi) correct++;
  }
  counts[0]! += correct;
  counts[1]! += counted;
}

/** The fraction correct of a state: NaN for no counted rows (empty input, every target ignored). */
export function accuracyValue(state: MetricState): number {
  return state.counts.length === 0 ? Number.NaN : state.counts[0]! / state.counts[1]!;
}

/**
 * Accuracy, as scikit-learn's `accuracy_score` / torchmetrics' `Accuracy(average='micro')`: the
 * fraction of samples whose argmax class (the first on ties, as `torch.argmax`) equals the class
 * index, or, with 0/1 targets of input's shape, of labels whose thresholded score equals the target
 * (per label, not per-row subset accuracy). Ignored targets are skipped; NaN when nothing is counted.
 *
 * @example
 * accuracy(tensor(new Float32Array([2, 0.5, -1, 0.1, 0.2, 3]), [2, 3]), new Int32Array([0, 1])); // 0.5
 */
export function accuracy(input: TensorInput, target: TensorInput, options: AccuracyOptions = {}): number {
  return accuracyValue(accuracyPartial(input, target, options));
}
