import type { CalibrationErrorOptions } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { MetricChunk } from '../MetricChunk.js';
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
): OperatorFunction<RecordBatch, MetricChunk> {
  return metricOperator('calibrationError', options as Record<string, unknown>);
}
