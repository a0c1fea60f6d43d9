import {
  type BatchTensorsOptions,
  batchTensors,
  rangeRows,
  type TensorLayout,
  tensorLayout,
} from '@lossflow/arrow';
import type { Tensor } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import { type BatchLoss, type BatchLossPlan, batchLoss } from '../compute/batchLoss.js';
import { errorAtRow } from '../compute/errorAtRow.js';
import { mergeWorkerLosses } from './mergeWorkerLosses.js';

/**
 * The rows per range a threaded `fromFile` cuts this batch into when it reads these columns (see
 * `rangeRows` of `@lossflow/arrow`), or `undefined` when it does not cut it. A variable-length list
 * column counts its list elements as the batch stores them (a batch cut at a row limit keeps all
 * of them), as the worker pool counts them from the batch's header.
 *
 * @example
 * const step = rangeRowsOf(batch, Object.values(plan.columns));
 */
export function rangeRowsOf(batch: RecordBatch, columns: Iterable<string>): number | undefined {
  const layouts: TensorLayout[] = [];
  const elements: (number | undefined)[] = [];
  const fields = batch.schema.fields;
  for (const name of new Set(columns)) {
    const at = fields.findIndex((f) => f.name === name);
    if (at < 0) return undefined;
    const layout = tensorLayout(fields[at]!);
    if (!layout.usable) return undefined;
    elements.push(layout.list === undefined ? undefined : batch.data.children[at]?.children[0]?.length);
    layouts.push(layout);
  }
  return rangeRows(layouts, undefined, { rows: batch.numRows, elements });
}

/**
 * One loss over one apache-arrow batch, in the fixed row ranges of `step` rows the worker pool
 * computes it in, merged in row order as the pool's ranges are (`mergeWorkerLosses`): float sums
 * depend on the order they add up in, so this is what gives the same bits in this thread as with any
 * number of worker threads. An error names the batch's row; the caller adds the batch index.
 *
 * @example
 * const part = batchLossInRanges(plan, batch, index, rangeRowsOf(batch, Object.values(plan.columns)));
 */
export function batchLossInRanges<O>(
  plan: BatchLossPlan<O>,
  batch: RecordBatch,
  batchIndex: number,
  step: number | undefined,
): BatchLoss {
  const whole = (b: RecordBatch) => (columns: Readonly<Record<string, string>>, o: BatchTensorsOptions) =>
    batchTensors(b, columns, { ...o, batchIndex });
  if (step === undefined || batch.numRows <= step) return batchLoss(plan, whole(batch));
  const parts: BatchLoss[] = [];
  for (let first = 0; first < batch.numRows; first += step) {
    const range = batch.slice(first, Math.min(batch.numRows, first + step));
    try {
      parts.push(batchLoss(plan, whole(range)));
    } catch (e) {
      throw errorAtRow(e, (row) => row + first);
    }
  }
  const merged = mergeWorkerLosses(parts.map((p) => [p]))[0]!;
  return { ...merged, perRow: plan.perRow ? concatRows(parts.map((p) => p.perRow!)) : undefined };
}

/** Row-major tensors one after the other along their first axis. */
function concatRows(parts: readonly Tensor[]): Tensor {
  const first = parts[0]!;
  let length = 0;
  let rows = 0;
  for (const p of parts) {
    length += p.data.length;
    rows += p.shape[0] ?? 1;
  }
  const data = new (first.data.constructor as new (n: number) => Tensor['data'])(length);
  let at = 0;
  for (const p of parts) {
    data.set(p.data as never, at);
    at += p.data.length;
  }
  return { data, shape: [rows, ...first.shape.slice(1)] };
}
