import type { AurocOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link auroc} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type AurocOperatorOptions = AurocOptions & MetricStreamOptions;

/**
 * AUROC on a fixed threshold grid, one-vs-rest macro (`roc_auc_score`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { auroc, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(auroc({ thresholds: 200 }), reduceMetric()).subscribe(console.log);
 */
export function auroc(options: AurocOperatorOptions = {}): ThreadableOperator<MetricChunk> {
  return metricOperator('auroc', options as Record<string, unknown>);
}
