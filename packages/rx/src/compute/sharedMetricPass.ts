import { shareClassRowStats } from '@lossflow/core';
import type { BatchMetricPlan } from './batchMetric.js';

// The metrics that read the per-sample argmax / target rank / softmax denominator of class scores.
const CLASS_ROW_METRICS: ReadonlySet<string> = new Set([
  'accuracy',
  'topKAccuracy',
  'calibrationError',
  'precision',
  'recall',
  'f1',
  'confusionMatrix',
]);

/**
 * Runs `fn`, the metrics of one pass over one batch, with the class-index metrics reading the scores
 * once in all (`shareClassRowStats` of `@lossflow/core`): accuracy, top-k, calibration error,
 * precision/recall/F1 and the confusion matrix then cost about one of them. The softmax
 * denominators are computed in that read when a calibration error of logits will need them. With
 * `withLosses`, `fn` computes the pass's losses first: a cross-entropy of class indices over float32
 * logits then makes that read itself, sharing its exps with the metrics (the same bits as apart),
 * and sums accuracy, top-k and calibration counts there too (no JS loop over the rows for them).
 *
 * @example
 * const parts = sharedMetricPass(plans, () => plans.map((plan) => batchMetric(plan, tensorsOf)));
 */
export function sharedMetricPass<T>(
  plans: readonly Pick<BatchMetricPlan, 'metric' | 'options'>[],
  fn: () => T,
  withLosses = false,
): T {
  const fromLosses = withLosses && plans.some((p) => CLASS_ROW_METRICS.has(p.metric));
  if (plans.length < 2 && !fromLosses) return fn();
  const calibration = plans.find(
    (p) => p.metric === 'calibrationError' && p.options.scores !== 'probabilities',
  );
  const topK = plans.find((p) => p.metric === 'topKAccuracy');
  if (!fromLosses) return shareClassRowStats(calibration !== undefined, fn);
  // The loss kernel also sums accuracy, top-k (of one k) and calibration (of one nBins) as it reads
  // the rows; an option out of range sums nothing (the metric then throws as before).
  const tally = {
    nBins: calibration === undefined ? 0 : integerIn(calibration.options.nBins, 15, 100000),
    k: topK === undefined ? 0 : integerIn(topK.options.k, 5, 2 ** 31 - 1),
  };
  return shareClassRowStats(calibration !== undefined, fn, { fromLosses, tally });
}

/** `value` (or `fallback` when undefined) when an integer in [1, max], else 0. */
function integerIn(value: unknown, fallback: number, max: number): number {
  const v = value === undefined ? fallback : value;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max ? v : 0;
}
