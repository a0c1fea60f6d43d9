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
 * logits then makes that read itself, sharing its exps with the metrics (the same bits as apart).
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
  const expSum = plans.some((p) => p.metric === 'calibrationError' && p.options.scores !== 'probabilities');
  return shareClassRowStats(expSum, fn, { fromLosses });
}
