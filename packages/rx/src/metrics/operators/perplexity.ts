import type { PerplexityOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link perplexity} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type PerplexityOperatorOptions = PerplexityOptions & MetricStreamOptions;

/**
 * Perplexity, exp of the mean cross-entropy (torchmetrics' `Perplexity`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { perplexity, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(perplexity({ ignoreIndex: 0 }), reduceMetric()).subscribe(console.log);
 */
export function perplexity(options: PerplexityOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('perplexity', options as Record<string, unknown>);
}
