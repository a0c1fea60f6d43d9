import type { BrierScoreOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link brierScore} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type BrierScoreOperatorOptions = BrierScoreOptions & MetricStreamOptions;

/**
 * The Brier score of the probabilities (`brier_score_loss`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { brierScore, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(brierScore(), reduceMetric()).subscribe(console.log);
 */
export function brierScore(options: BrierScoreOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('brierScore', options as Record<string, unknown>);
}
