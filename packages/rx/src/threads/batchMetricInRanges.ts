import { type BatchTensorsOptions, batchTensors } from '@lossflow/arrow';
import type { RecordBatch } from 'apache-arrow';
import { type BatchMetric, type BatchMetricPlan, batchMetric } from '../compute/batchMetric.js';
import { errorAtRow } from '../compute/errorAtRow.js';
import { mergeWorkerMetrics } from './mergeWorkerMetrics.js';

/**
 * One metric over one apache-arrow batch, in the fixed row ranges of `step` rows the worker pool
 * computes it in (see `rangeRowsOf`), merged in row order as the pool's ranges are
 * (`mergeWorkerMetrics`): compensated sums and moments depend on how rows are split, so this is
 * what gives the same bits in this thread as with any number of worker threads. An error names
 * the batch's row; the caller adds the batch index.
 *
 * @example
 * const part = batchMetricInRanges(plan, batch, index, rangeRowsOf(batch, Object.values(plan.columns)));
 */
export function batchMetricInRanges(
  plan: BatchMetricPlan,
  batch: RecordBatch,
  batchIndex: number,
  step: number | undefined,
): BatchMetric {
  const whole = (b: RecordBatch) => (columns: Readonly<Record<string, string>>, o: BatchTensorsOptions) =>
    batchTensors(b, columns, { ...o, batchIndex });
  if (step === undefined || batch.numRows <= step) return batchMetric(plan, whole(batch));
  const parts: BatchMetric[][] = [];
  for (let first = 0; first < batch.numRows; first += step) {
    const range = batch.slice(first, Math.min(batch.numRows, first + step));
    try {
      parts.push([batchMetric(plan, whole(range))]);
    } catch (e) {
      throw errorAtRow(e, (row) => row + first);
    }
  }
  return mergeWorkerMetrics(parts)[0]!;
}
