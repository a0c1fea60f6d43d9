import type { PrecisionOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link precision} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type PrecisionOperatorOptions = PrecisionOptions & MetricStreamOptions;

/**
 * Precision, averaged micro | macro | weighted | none (`precision_score`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { precision, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(precision(), reduceMetric()).subscribe(console.log);
 */
export function precision(options: PrecisionOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('precision', options as Record<string, unknown>);
}
