import type { ConfusionMatrixOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link confusionMatrix} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type ConfusionMatrixOperatorOptions = ConfusionMatrixOptions & MetricStreamOptions;

/**
 * The C × C confusion matrix, rows true, columns predicted (`confusion_matrix`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { confusionMatrix, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(confusionMatrix(), reduceMetric()).subscribe(console.log);
 */
export function confusionMatrix(
  options: ConfusionMatrixOperatorOptions = {},
): ThreadableOperator<MetricChunk> {
  return metricOperator('confusionMatrix', options as Record<string, unknown>);
}
