import { ArrowReadError, resolveColumns } from '@lossflow/arrow';
import { LossError, type MetricName } from '@lossflow/core';
import type { RecordBatch, Schema } from 'apache-arrow';
import { map } from 'rxjs';
import type { MetricChunk } from '../chunks/MetricChunk.js';
import { KEY } from '../compute/batchLoss.js';
import type { BatchMetricPlan } from '../compute/batchMetric.js';
import { batchOrigin } from '../sources/batchOrigin.js';
import { rangeRowsOf } from '../threads/batchLossInRanges.js';
import { batchMetricInRanges } from '../threads/batchMetricInRanges.js';
import { type MetricOperatorPlan, type ThreadableOperator, threadable } from '../threads/workerPlan.js';
import { checkMetricOptions, type MetricStreamOptions } from './checkMetricOptions.js';

export type { MetricStreamOptions };

/**
 * The RxJS operator of a `@lossflow/core` metric (see `METRICS`): each record batch becomes a
 * {@link MetricChunk} holding the batch's mergeable state (and, with `by`, each key's). Unknown
 * option keys and invalid option values are rejected when the operator is created; a metric error
 * is re-thrown with the batch, the column and (for `fromFile` batches) the file, its row counted
 * in the batch. The operator carries its plan (see `WORKER_PLAN`): piped straight after
 * `fromFile(path, { threads })` of `@lossflow/rx/node`, the batches are read and computed in worker
 * threads instead, with the same bits as in this thread.
 *
 * @example
 * import { metricOperator, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(metricOperator('topKAccuracy', { k: 5, input: 'logits' }), reduceMetric());
 */
export function metricOperator(
  name: MetricName,
  options: Record<string, unknown> & MetricStreamOptions = {},
): ThreadableOperator<MetricChunk> {
  const { core, stream } = checkMetricOptions(name, options);
  const { by, nulls = 'error', groupBudget } = stream;
  const groupLimits = by === undefined ? undefined : groupBudget?.batchLimits;
  // The same plain values here and in worker threads (a class instance's getters do not survive a clone).
  const coreOptions = plainTensors(core);
  const columnsOf = (schema: Schema): Record<string, string> => {
    const wanted: Record<string, string | undefined> = { input: stream.input, target: stream.target };
    const columns = resolveColumns(schema, wanted);
    if (by !== undefined) columns[KEY] = by;
    return columns;
  };
  let schema: Schema | undefined;
  let batchPlan: BatchMetricPlan | undefined;
  // The rows per range, for the columns (joined) it was found for.
  const chunk = (batch: RecordBatch, index: number, rangeColumns?: readonly string[]): MetricChunk => {
    const file = batchOrigin(batch);
    try {
      if (batch.schema !== schema || batchPlan === undefined) {
        batchPlan = {
          metric: name,
          options: coreOptions,
          by,
          nulls,
          columns: columnsOf(batch.schema),
          groupLimits,
        };
        schema = batch.schema;
      }
      // Per batch: a list column's rows per range follow the batch's own list lengths.
      const rangeStep = rangeRowsOf(batch, rangeColumns ?? Object.values(batchPlan.columns));
      // In the row ranges of a threaded fromFile, so any thread count (0 too) gives the same bits.
      const part = batchMetricInRanges(batchPlan, batch, index, rangeStep);
      return { metric: name, batch: index, ...part, ...(file === undefined ? {} : { file }) };
    } catch (e) {
      const where = file === undefined ? { batch: index } : { batch: index, file };
      if (e instanceof LossError || e instanceof ArrowReadError) throw e.withContext(where);
      throw e;
    }
  };
  const plan: MetricOperatorPlan = {
    metric: name,
    options: coreOptions,
    by,
    nulls,
    groupLimits,
    columns: columnsOf,
    chunk,
  };
  return threadable(map(chunk), {
    kind: 'metric',
    plans: [],
    metrics: [plan],
    finish: map((c) => c.metrics[0]!),
  });
}

/** A `{ data, shape }` object that is not an array or a typed array: possibly a class instance. */
function isTensorObject(value: unknown): value is { readonly data: unknown; readonly shape: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    'data' in value &&
    'shape' in value
  );
}

/**
 * The options with every `{ data, shape }` value (a weight) copied into a plain object: worker
 * threads receive options by structured clone, which keeps own data properties only.
 */
function plainTensors(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...options };
  for (const [key, value] of Object.entries(options)) {
    if (!isTensorObject(value)) continue;
    const { data, shape } = value;
    out[key] = { data, shape: Array.isArray(shape) ? [...(shape as unknown[])] : shape };
  }
  return out;
}
