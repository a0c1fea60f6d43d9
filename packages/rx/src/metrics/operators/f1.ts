import type { F1Options } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link f1} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type F1OperatorOptions = F1Options & MetricStreamOptions;

/**
 * F1, averaged micro | macro | weighted | none (`f1_score`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { f1, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(f1({ average: 'macro' }), reduceMetric()).subscribe(console.log);
 */
export function f1(options: F1OperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('f1', options as Record<string, unknown>);
}
