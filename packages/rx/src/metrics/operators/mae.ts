import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link mae} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type MaeOperatorOptions = MetricStreamOptions;

/**
 * Mean absolute error (`mean_absolute_error`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { mae, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(mae({ input: 'pred', target: 'y' }), reduceMetric()).subscribe(console.log);
 */
export function mae(options: MaeOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('mae', options as Record<string, unknown>);
}
