import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link rmse} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type RmseOperatorOptions = MetricStreamOptions;

/**
 * Root mean squared error (`mean_squared_error(squared=False)`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { rmse, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(rmse({ input: 'pred', target: 'y' }), reduceMetric()).subscribe(console.log);
 */
export function rmse(options: RmseOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('rmse', options as Record<string, unknown>);
}
