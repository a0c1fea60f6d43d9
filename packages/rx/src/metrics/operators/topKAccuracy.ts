import type { TopKAccuracyOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link topKAccuracy} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type TopKAccuracyOperatorOptions = TopKAccuracyOptions & MetricStreamOptions;

/**
 * Top-k accuracy: targets among the `k` highest scores (`top_k_accuracy_score`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { topKAccuracy, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(topKAccuracy({ k: 5, input: 'logits' }), reduceMetric()).subscribe(console.log);
 */
export function topKAccuracy(options: TopKAccuracyOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('topKAccuracy', options as Record<string, unknown>);
}
