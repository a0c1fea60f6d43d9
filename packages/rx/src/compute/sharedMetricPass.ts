import { shareClassRowStats } from '@lossflow/core';
import type { BatchMetricPlan } from './batchMetric.js';

/**
 * Runs `fn`, the metrics of one pass over one batch, with the class-index metrics reading the scores
 * once in all (`shareClassRowStats` of `@lossflow/core`): accuracy, top-k, calibration error,
 * precision/recall/F1 and the confusion matrix then cost about one of them. The softmax
 * denominators are computed in that read when a calibration error of logits will need them.
 *
 * @example
 * const parts = sharedMetricPass(plans, () => plans.map((plan) => batchMetric(plan, tensorsOf)));
 */
export function sharedMetricPass<T>(
  plans: readonly Pick<BatchMetricPlan, 'metric' | 'options'>[],
  fn: () => T,
): T {
  if (plans.length < 2) return fn();
  const expSum = plans.some((p) => p.metric === 'calibrationError' && p.options.scores !== 'probabilities');
  return shareClassRowStats(expSum, fn);
}
