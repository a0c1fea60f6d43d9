import type { CalibrationErrorOptions } from '@lossflow/core';
import type { MetricChunk } from '../../chunks/MetricChunk.js';
import type { ThreadableOperator } from '../../threads/workerPlan.js';
import { type MetricStreamOptions, metricOperator } from '../metricOperator.js';

/** Options of the {@link calibrationError} operator: `@lossflow/core`'s options, the columns and `by` / `nulls`. */
export type CalibrationErrorOperatorOptions = CalibrationErrorOptions & MetricStreamOptions;

/**
 * Expected / maximum calibration error over `nBins` confidence bins (torchmetrics' `CalibrationError`). Each record batch becomes a mergeable {@link MetricChunk}; reduce with
 * `reduceMetric()` or, with `by`, `reduceMetricGroups()`.
 *
 * @example
 * import { calibrationError, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(calibrationError({ nBins: 15 }), reduceMetric()).subscribe(console.log);
 */
export function calibrationError(
  options: CalibrationErrorOperatorOptions = {},
): ThreadableOperator<MetricChunk> {
  return metricOperator('calibrationError', options as Record<string, unknown>);
}
