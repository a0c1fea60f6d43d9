import { ArrowReadError, batchTensors, resolveColumns } from '@lossflow/arrow';
import {
  createMetricState,
  LossError,
  METRICS,
  type MetricDescriptor,
  type MetricName,
  type MetricState,
  mergeMetricInto,
  optionsOwnKeys,
  type Tensor,
  unknownOptionError,
} from '@lossflow/core';
import type { RecordBatch, Schema } from 'apache-arrow';
import { map, type OperatorFunction } from 'rxjs';
import { KEY } from '../compute/batchLoss.js';
import { errorAtRow } from '../compute/errorAtRow.js';
import { keyGroups } from '../compute/keyGroups.js';
import { batchOrigin } from '../sources/batchOrigin.js';
import type { MetricChunk, MetricGroupState } from './MetricChunk.js';

/** Options every metric operator takes besides the metric's own. */
export interface MetricStreamOptions {
  /** The scores column (default: auto-detected as for the losses: `logits`, `input`, `pred`, …). */
  input?: string;
  /** The target column (default: auto-detected: `target`, `label`, `y`, …). */
  target?: string;
  /** Group states by this column's values (e.g. `'epoch'`), for `reduceMetricGroups`. */
  by?: string;
  /** A null in a selected column is an error (default) or drops the row (`'skip'`). */
  nulls?: 'error' | 'skip';
}

const STREAM_KEYS = ['input', 'target', 'by', 'nulls'] as const;
const REGRESSION: ReadonlySet<string> = new Set(['mae', 'rmse', 'r2', 'pearson']);

/**
 * The RxJS operator of a `@lossflow/core` metric (see `METRICS`): each record batch becomes a
 * {@link MetricChunk} holding the batch's mergeable state (and, with `by`, each key's). Unknown
 * option keys and invalid option values are rejected when the operator is created; a metric error
 * is re-thrown with the batch, the column and (for `fromFile` batches) the file, its row counted
 * in the batch.
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
): OperatorFunction<RecordBatch, MetricChunk> {
  const metric: MetricDescriptor = METRICS[name];
  const core: Record<string, unknown> = {};
  const stream: MetricStreamOptions = {};
  for (const key of optionsOwnKeys(name, options)) {
    if (typeof key !== 'string')
      throw unknownOptionError(name, String(key), [...metric.optionKeys, ...STREAM_KEYS]);
    if ((STREAM_KEYS as readonly string[]).includes(key))
      (stream as Record<string, unknown>)[key] = options[key];
    else if (metric.optionKeys.includes(key)) core[key] = options[key];
    else throw unknownOptionError(name, key, [...metric.optionKeys, ...STREAM_KEYS]);
  }
  // Invalid option values fail here, before any batch: an empty batch runs every option check.
  const probe: [Tensor, Tensor] = REGRESSION.has(name)
    ? [
        { data: new Float64Array(0), shape: [0] },
        { data: new Float64Array(0), shape: [0] },
      ]
    : [
        { data: new Float64Array(0), shape: [0, 1] },
        { data: new Int32Array(0), shape: [0] },
      ];
  // Checks that need the real class count (a weight per class) wait for the first batch.
  try {
    metric.partial(probe[0], probe[1], core);
  } catch (e) {
    if (!(e instanceof LossError) || e.code === 'INVALID_OPTION') throw e;
  }
  const { by, nulls = 'error' } = stream;
  const partial = (args: Tensor[], o: object): MetricState => metric.partial(args[0]!, args[1]!, o);
  let schema: Schema | undefined;
  let columns: Record<string, string> = {};
  return map((batch: RecordBatch, index: number): MetricChunk => {
    const file = batchOrigin(batch);
    let keep: Int32Array | undefined;
    try {
      if (batch.schema !== schema) {
        const wanted: Record<string, string | undefined> = { input: stream.input, target: stream.target };
        columns = resolveColumns(batch.schema, wanted);
        if (by !== undefined) columns[KEY] = by;
        schema = batch.schema;
      }
      const made = batchTensors(batch, columns, { nulls, batchIndex: index });
      keep = made.keep;
      const args = [made.tensors.input!, made.tensors.target!];
      let state: MetricState;
      let groups: MetricGroupState[] | undefined;
      if (by === undefined) state = partial(args, core);
      else {
        groups = keyGroups({ partial }, core, args, made.tensors[KEY]!, by).groups;
        // The batch's state is the merge of its keys' (each row computed once).
        state =
          groups.length === 0
            ? partial(args, core)
            : groups.reduce(
                (acc, g) => mergeMetricInto(acc, g.state),
                createMetricState(name, groups[0]!.state.params),
              );
      }
      return {
        metric: name,
        batch: index,
        rows: made.rows,
        skipped: made.skipped,
        state,
        groups,
        ...(file === undefined ? {} : { file }),
      };
    } catch (thrown) {
      const rows = keep;
      let e = rows === undefined ? thrown : errorAtRow(thrown, (row) => rows[row] ?? row);
      const where = file === undefined ? { batch: index } : { batch: index, file };
      if (e instanceof LossError) {
        const column = e.argument === 'input' || e.argument === 'target' ? columns[e.argument] : undefined;
        e = e.withContext(column === undefined ? where : { ...where, column });
      } else if (e instanceof ArrowReadError) e = e.withContext(where);
      throw e;
    }
  });
}
