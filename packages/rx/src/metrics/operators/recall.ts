import type { RecallOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link recall} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type RecallOperatorOptions = RecallOptions & MetricStreamOptions;

/**
 * Recall, averaged micro | macro | weighted | none (`recall_score`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { recall, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(recall(), reduceMetric()).subscribe(console.log);
 */
export function recall(options: RecallOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('recall', options as Record<string, unknown>);
}
