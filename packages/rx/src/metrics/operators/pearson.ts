import type { PearsonOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link pearson} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type PearsonOperatorOptions = PearsonOptions & MetricStreamOptions;

/**
 * Pearson correlation of predictions and targets (`scipy.stats.pearsonr`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { pearson, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(pearson({ input: 'pred', target: 'y' }), reduceMetric()).subscribe(console.log);
 */
export function pearson(options: PearsonOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('pearson', options as Record<string, unknown>);
}
