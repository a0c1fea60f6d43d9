import { LossError } from '../LossError.js';
import type { TensorInput } from '../tensor/tensor.js';
import { accuracyOptionKeys, accuracyPartial, accuracyValue } from './accuracy.js';
import { aurocErrorBound, aurocOptionKeys, aurocPartial, aurocValue } from './auroc.js';
import { brierScoreOptionKeys, brierScorePartial, brierScoreValue } from './brierScore.js';
import {
  calibrationErrorOptionKeys,
  calibrationErrorPartial,
  calibrationErrorValue,
} from './calibrationError.js';
import {
  confusionMatrixOptionKeys,
  confusionMatrixPartial,
  confusionMatrixValue,
} from './confusionMatrix.js';
import { f1OptionKeys, f1Partial, f1Value } from './f1.js';
import type { MetricState } from './MetricState.js';
import { maePartial, maeValue } from './mae.js';
import { pearsonOptionKeys, pearsonPartial, pearsonValue } from './pearson.js';
import { perplexityOptionKeys, perplexityPartial, perplexityValue } from './perplexity.js';
import { precisionOptionKeys, precisionPartial, precisionValue } from './precision.js';
import { r2OptionKeys, r2Partial, r2Value } from './r2.js';
import { recallOptionKeys, recallPartial, recallValue } from './recall.js';
import { rmsePartial, rmseValue } from './rmse.js';
import { topKAccuracyOptionKeys, topKAccuracyPartial, topKAccuracyValue } from './topKAccuracy.js';

/** A metric's final value: a number, one number per class (`average: 'none'`), or a matrix. */
export type MetricValue = number | number[] | number[][];

/** One metric of {@link METRICS}: its names, equivalents, options and forms. */
export interface MetricDescriptor {
  /** The `@lossflow/core` function name (`topKAccuracy`). */
  readonly name: string;
  /** The CLI's name (`top-k-accuracy`). */
  readonly cliName: string;
  readonly summary: string;
  /** The torchmetrics class it matches. */
  readonly torchmetrics: string;
  /** The scikit-learn (or torch / scipy) function it matches. */
  readonly reference: string;
  /** Every option key it takes. */
  readonly optionKeys: readonly string[];
  /** Adds one batch into `into` (or a new state). */
  partial(input: TensorInput, target: TensorInput, options?: object, into?: MetricState): MetricState;
  /** The final value of a state. */
  value(state: MetricState): MetricValue;
}

const d = (m: MetricDescriptor): MetricDescriptor => m;
type Partial3 = (i: TensorInput, t: TensorInput, o?: never, into?: MetricState) => MetricState;
const p = (f: Partial3) => f as MetricDescriptor['partial'];

/**
 * Every metric, by function name: the registry the rx operators and the CLI read, as `LOSSES` is
 * for the losses.
 *
 * @example
 * const { partial, value } = METRICS.accuracy;
 * value(partial(logits, labels)); // === accuracy(logits, labels)
 */
export const METRICS = {
  accuracy: d({
    name: 'accuracy',
    cliName: 'accuracy',
    summary: 'fraction of argmax predictions (thresholded scores) equal to the target',
    torchmetrics: "Accuracy(average='micro')",
    reference: 'sklearn.metrics.accuracy_score',
    optionKeys: accuracyOptionKeys,
    partial: p(accuracyPartial),
    value: accuracyValue,
  }),
  topKAccuracy: d({
    name: 'topKAccuracy',
    cliName: 'top-k-accuracy',
    summary: 'fraction of targets among the k highest scores',
    torchmetrics: "Accuracy(top_k=k, average='micro')",
    reference: 'sklearn.metrics.top_k_accuracy_score',
    optionKeys: topKAccuracyOptionKeys,
    partial: p(topKAccuracyPartial),
    value: topKAccuracyValue,
  }),
  precision: d({
    name: 'precision',
    cliName: 'precision',
    summary: 'tp / (tp + fp), averaged micro | macro | weighted | none',
    torchmetrics: 'Precision',
    reference: 'sklearn.metrics.precision_score',
    optionKeys: precisionOptionKeys,
    partial: p(precisionPartial),
    value: precisionValue,
  }),
  recall: d({
    name: 'recall',
    cliName: 'recall',
    summary: 'tp / (tp + fn), averaged micro | macro | weighted | none',
    torchmetrics: 'Recall',
    reference: 'sklearn.metrics.recall_score',
    optionKeys: recallOptionKeys,
    partial: p(recallPartial),
    value: recallValue,
  }),
  f1: d({
    name: 'f1',
    cliName: 'f1',
    summary: 'harmonic mean of precision and recall, averaged micro | macro | weighted | none',
    torchmetrics: 'F1Score',
    reference: 'sklearn.metrics.f1_score',
    optionKeys: f1OptionKeys,
    partial: p(f1Partial),
    value: f1Value,
  }),
  confusionMatrix: d({
    name: 'confusionMatrix',
    cliName: 'confusion-matrix',
    summary: 'C × C counts, rows true class, columns predicted',
    torchmetrics: 'ConfusionMatrix',
    reference: 'sklearn.metrics.confusion_matrix',
    optionKeys: confusionMatrixOptionKeys,
    partial: p(confusionMatrixPartial),
    value: confusionMatrixValue,
  }),
  calibrationError: d({
    name: 'calibrationError',
    cliName: 'calibration-error',
    summary: 'expected (l1) / maximum (max) calibration error over nBins confidence bins',
    torchmetrics: 'CalibrationError',
    reference: "torchmetrics' formula (no scikit-learn function)",
    optionKeys: calibrationErrorOptionKeys,
    partial: p(calibrationErrorPartial),
    value: calibrationErrorValue,
  }),
  brierScore: d({
    name: 'brierScore',
    cliName: 'brier-score',
    summary: 'mean squared error of the probabilities against one-hot (0/1) targets',
    torchmetrics: '— (binary: BinaryBrierScore in later versions)',
    reference: 'sklearn.metrics.brier_score_loss (binary)',
    optionKeys: brierScoreOptionKeys,
    partial: p(brierScorePartial),
    value: brierScoreValue,
  }),
  auroc: d({
    name: 'auroc',
    cliName: 'auroc',
    summary: 'area under the ROC curve on a fixed threshold grid (one-vs-rest macro)',
    torchmetrics: 'AUROC(thresholds=T)',
    reference: "sklearn.metrics.roc_auc_score(multi_class='ovr')",
    optionKeys: aurocOptionKeys,
    partial: p(aurocPartial),
    value: aurocValue,
  }),
  perplexity: d({
    name: 'perplexity',
    cliName: 'perplexity',
    summary: 'exp of the mean cross-entropy',
    torchmetrics: 'Perplexity',
    reference: 'torch.exp(F.cross_entropy(…))',
    optionKeys: perplexityOptionKeys,
    partial: p(perplexityPartial),
    value: perplexityValue,
  }),
  mae: d({
    name: 'mae',
    cliName: 'mae',
    summary: 'mean absolute error',
    torchmetrics: 'MeanAbsoluteError',
    reference: 'sklearn.metrics.mean_absolute_error',
    optionKeys: [],
    partial: p(maePartial),
    value: maeValue,
  }),
  rmse: d({
    name: 'rmse',
    cliName: 'rmse',
    summary: 'root mean squared error',
    torchmetrics: 'MeanSquaredError(squared=False)',
    reference: 'sklearn.metrics.mean_squared_error(squared=False)',
    optionKeys: [],
    partial: p(rmsePartial),
    value: rmseValue,
  }),
  r2: d({
    name: 'r2',
    cliName: 'r2',
    summary: 'coefficient of determination',
    torchmetrics: 'R2Score',
    reference: 'sklearn.metrics.r2_score',
    optionKeys: r2OptionKeys,
    partial: p(r2Partial),
    value: r2Value,
  }),
  pearson: d({
    name: 'pearson',
    cliName: 'pearson',
    summary: 'Pearson correlation of predictions and targets',
    torchmetrics: 'PearsonCorrCoef',
    reference: 'scipy.stats.pearsonr',
    optionKeys: pearsonOptionKeys,
    partial: p(pearsonPartial),
    value: pearsonValue,
  }),
} as const satisfies Record<string, MetricDescriptor>;

/** A metric's function name. */
export type MetricName = keyof typeof METRICS;

/**
 * The final value of any metric state (the metric is the state's own `metric`).
 *
 * @example
 * const state = mergeMetricStates(f1Partial(x1, y1), f1Partial(x2, y2));
 * finalizeMetric(state); // === f1 over both batches
 */
export function finalizeMetric(state: MetricState): MetricValue {
  const m = (METRICS as Record<string, MetricDescriptor>)[state.metric];
  if (m === undefined) {
    throw new LossError('STATE_MISMATCH', `'${state.metric}' is not a metric`, {
      loss: state.metric,
      hint: `Finalize states of ${Object.keys(METRICS).join(', ')}; loss states with finalize().`,
    });
  }
  return m.value(state);
}

/**
 * The largest possible difference between a state's value and the exact value of the same rows,
 * for metrics computed on a grid (`auroc`: {@link aurocErrorBound}); `undefined` for the exact ones.
 *
 * @example
 * metricErrorBound(aurocPartial(logits, labels)); // e.g. 0.004
 * metricErrorBound(accuracyPartial(logits, labels)); // undefined
 */
export function metricErrorBound(state: MetricState): MetricValue | undefined {
  return state.metric === 'auroc' && state.layout !== '' ? aurocErrorBound(state) : undefined;
}
