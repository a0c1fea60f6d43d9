import type { R2Options } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link r2} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type R2OperatorOptions = R2Options & MetricStreamOptions;

/**
 * R² per output of `(N, k)` columns (`multioutput`), merged with Chan's update of means and centred sums (`r2_score`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { r2, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(r2({ input: 'pred', target: 'y' }), reduceMetric()).subscribe(console.log);
 */
export function r2(options: R2OperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('r2', options as Record<string, unknown>);
}
