import type { AccuracyOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link accuracy} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type AccuracyOperatorOptions = AccuracyOptions & MetricStreamOptions;

/**
 * Accuracy: argmax vs class indices, or thresholded scores vs 0/1 targets (`accuracy_score`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { accuracy, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(accuracy(), reduceMetric()).subscribe(console.log);
 */
export function accuracy(options: AccuracyOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('accuracy', options as Record<string, unknown>);
}
