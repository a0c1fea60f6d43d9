import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { LossError } from '../LossError.js';
import { numberOption } from '../options/optionChecks.js';
import { ignoreIndexOption } from '../tensor/classOperands.js';
import type { TensorInput } from '../tensor/tensor.js';
import {
  classificationOperands,
  IGNORED,
  layoutOf,
  nanScoreError,
  probabilityError,
} from './classificationOperands.js';
import { classRowStats } from './classRowStats.js';
import { type MetricState, metricStateFor } from './MetricState.js';
import { type Average, checkStateSize, choiceOption, ignoreParam, scoresOption } from './metricOptions.js';
import { sigmoid } from './sampleScores.js';

/** Options of `precision`, `recall` and `f1`. */
export interface ClassScoreOptions {
  /**
   * `'macro'` (default for class indices and multi-label 0/1 targets): the unweighted mean over
   * classes; `'micro'`: from the summed counts; `'weighted'`: the mean weighted by each class's
   * support; `'none'`: one value per class. `'binary'` (default for one 0/1 target per sample, and
   * only there): the positive class's score, as scikit-learn's `average='binary'`; with one 0/1
   * target per sample the other averages cover both classes, 0 and 1, as scikit-learn's.
   */
  average?: ClassScoreAverage;
  /** Class-index targets (or binary targets) equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
  /** With 0/1 targets: a probability above the threshold predicts 1 (default 0.5; `>` as torchmetrics). */
  threshold?: number;
  /** `'logits'` (default; sigmoid before the threshold) or `'probabilities'`. */
  scores?: 'logits' | 'probabilities';
}

/** Every option precision, recall and f1 take. */
export const classScoreOptionKeys = optionKeys<ClassScoreOptions>({
  average: true,
  ignoreIndex: true,
  threshold: true,
  scores: true,
});

/** The `average` choices of precision, recall and f1: {@link Average} and scikit-learn's `'binary'`. */
export type ClassScoreAverage = Average | 'binary';

const AVERAGES: readonly ClassScoreAverage[] = ['micro', 'macro', 'weighted', 'none', 'binary'];

/**
 * Per-class true positives, false positives and false negatives of a batch, and the samples counted
 * (3·C + 1 counts, or 3·L + 1 for L labels), added into `into`: the state behind precision, recall and F1.
 *
 * @example
 * const state = classStatScoresPartial('f1', logits, labels, { average: 'macro' });
 */
export function classStatScoresPartial(
  metric: string,
  input: TensorInput,
  target: TensorInput,
  options: ClassScoreOptions,
  into: MetricState | undefined,
): MetricState {
  checkOptionKeys(metric, options, classScoreOptionKeys);
  const ignoreIndex = ignoreIndexOption(metric, options.ignoreIndex);
  const threshold = numberOption(
    metric,
    'threshold',
    options.threshold,
    0.5,
    (t) => t >= 0 && t <= 1,
    'a number in [0, 1]',
  );
  const scores = scoresOption(metric, options.scores);
  const op = classificationOperands(metric, input, target, ignoreIndex);
  // Without an average the default follows the targets, known for sure only at the end (an empty
  // batch has no label count): 'binary' for one 0/1 target per sample (scikit-learn), else 'macro'.
  const average =
    options.average === undefined
      ? 'default'
      : choiceOption(metric, 'average', options.average, AVERAGES, 'macro');
  if (average === 'binary' && op.rows > 0 && !(op.task === 'binary' && op.labels === 1)) {
    throw new LossError('INVALID_OPTION', `average 'binary' needs one 0/1 target per sample`, {
      loss: metric,
      argument: 'average',
      hint: "Use average 'micro', 'macro', 'weighted' or 'none' with class indices or multi-label targets.",
    });
  }
  const width = op.task === 'multiclass' ? op.classes : op.labels;
  checkStateSize(
    metric,
    3 * width,
    `3 × ${width} classes`,
    'Metrics keep 3 counts per class; reduce the class count.',
  );
  const params = { average, ignoreIndex: ignoreParam(ignoreIndex), threshold, scores };
  const state = metricStateFor(metric, params, into, layoutOf(op), { counts: 3 * width + 1 });
  if (op.x instanceof Float64Array) state.dtype = 'float64';
  state.rows += op.rows;
  const counts = state.counts;
  // Layout: tp at [c], fp at [C + c], fn at [2C + c], then the samples counted.
  let counted = 0;
  if (op.task === 'multiclass') {
    const { outer, classes, inner, idx, stride, ignore } = op;
    const rowStats = classRowStats(op, false);
    for (let i = 0; i < outer * inner; i++) {
      const t = idx[i * stride]!;
      if (t === ignore) continue;
      const best = rowStats.best[i]!;
      if (best < 0) throw nanScoreError(metric, Math.floor(i / inner));
      counted++;
      if (best === t) counts[t]!++;
      else {
        counts[classes + best]!++;
        counts[2 * classes + t]!++;
      }
    }
  } else {
    const { x, y, labels } = op;
    const logits = scores === 'logits';
    for (let i = 0; i < x.length; i++) {
      const yi = y[i]!;
      if (yi === IGNORED) continue;
      const z = x[i]!;
      if (Number.isNaN(z)) throw nanScoreError(metric, Math.floor(i / labels));
      const p = logits ? sigmoid(z) : z;
      if (!logits && (p < 0 || p > 1)) throw probabilityError(metric, Math.floor(i / labels), p);
      counted++;
      const pred = p > threshold;
      const l = i % labels;
      if (pred && yi === 1) counts[l]!++;
      else if (pred) counts[labels + l]!++;
      else if (yi === 1) counts[2 * labels + l]!++;
    }
  }
  counts[3 * width]! += counted;
  return state;
}

/** Which score of the tp/fp/fn counts. */
export type ClassScore = 'precision' | 'recall' | 'f1';

/** The score of one class's counts; 0 where its denominator is 0 (scikit-learn's `zero_division` default). */
function scoreOf(which: ClassScore, tp: number, fp: number, fn: number): number {
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  if (which === 'precision') return p;
  if (which === 'recall') return r;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/**
 * Precision, recall or F1 of a tp/fp/fn state under its `average`. Follows scikit-learn 1.2: a
 * zero denominator scores 0 (`zero_division='warn'`, without the warning); with class indices the
 * macro mean covers only classes that occur in the targets or the predictions (scikit-learn's
 * `labels=None`; torchmetrics drops the same classes), with 0/1 targets every label. `'none'`
 * gives one value per class (every class, 0 for absent ones). NaN (or NaNs) when nothing was
 * counted.
 */
export function classStatScoresValue(state: MetricState, which: ClassScore): number | number[] {
  const stored = state.params.average as ClassScoreAverage | 'default';
  if (state.layout === 'binary:1' && stored !== 'binary' && stored !== 'default') {
    // One 0/1 target per sample: scikit-learn averages over both classes; class 0's tp is the tn.
    const c = state.counts;
    const tp = c[0]!;
    const fp = c[1]!;
    const fn = c[2]!;
    const counted = c[3]!;
    return scoresOf(
      Float64Array.of(counted - tp - fp - fn, tp, fn, fp, fp, fn, counted),
      stored,
      true,
      which,
    );
  }
  // 'binary' (and the default): with one label the positive label's score, its mean over the one label.
  const average = stored === 'binary' || stored === 'default' ? 'macro' : stored;
  return scoresOf(state.counts, average, state.layout.startsWith('multiclass'), which);
}

function scoresOf(
  counts: Float64Array,
  average: Average,
  multiclass: boolean,
  which: ClassScore,
): number | number[] {
  const width = (counts.length - 1) / 3;
  const counted = counts.length === 0 ? 0 : counts[3 * width]!;
  if (average === 'none') {
    const out: number[] = [];
    for (let c = 0; c < width; c++)
      out.push(
        counted === 0 ? Number.NaN : scoreOf(which, counts[c]!, counts[width + c]!, counts[2 * width + c]!),
      );
    return out;
  }
  // No counted sample (empty input, every target ignored): no value, rather than a 0 that looks real.
  if (counted === 0) return Number.NaN;
  if (average === 'micro') {
    return scoreOf(
      which,
      sumRange(counts, 0, width),
      sumRange(counts, width, 2 * width),
      sumRange(counts, 2 * width, 3 * width),
    );
  }
  let sum = 0;
  let weights = 0;
  for (let c = 0; c < width; c++) {
    const tp = counts[c]!;
    const fp = counts[width + c]!;
    const fn = counts[2 * width + c]!;
    const w = average === 'weighted' ? tp + fn : multiclass && tp + fp + fn === 0 ? 0 : 1;
    if (w === 0) continue;
    sum += w * scoreOf(which, tp, fp, fn);
    weights += w;
  }
  return weights === 0 ? 0 : sum / weights;
}

function sumRange(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
}
