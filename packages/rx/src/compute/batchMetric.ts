import type { BatchTensors, BatchTensorsOptions } from '@lossflow/arrow';
import {
  createMetricState,
  LossError,
  METRICS,
  type MetricName,
  type MetricState,
  mergeMetricInto,
  type Tensor,
} from '@lossflow/core';
import type { MetricGroupState } from '../chunks/MetricChunk.js';
import { type BatchGroupLimits, metricGroupBytes } from '../reduce/GroupBudget.js';
import { BatchGroupCharge } from './BatchGroupCharge.js';
import { KEY } from './batchLoss.js';
import { errorAtRow } from './errorAtRow.js';
import { keyGroups } from './keyGroups.js';

/** How one metric reads batches: its name, core options, stream options and resolved columns. */
export interface BatchMetricPlan {
  /** A key of `METRICS` of `@lossflow/core`. */
  readonly metric: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly by: string | undefined;
  readonly nulls: 'error' | 'skip';
  /** Column by role (`input`, `target`), the grouping column under `KEY`. */
  readonly columns: Readonly<Record<string, string>>;
  /** With `by`: the group budget's bounds, charged as the batch's group states are built. */
  readonly groupLimits?: BatchGroupLimits | undefined;
}

/** What one metric computes from one batch: plain data, so a worker thread can post it. */
export interface BatchMetric {
  readonly rows: number;
  readonly skipped: number;
  readonly state: MetricState;
  readonly groups: MetricGroupState[] | undefined;
}

/**
 * One metric over one batch, whose tensors `tensorsOf` makes (from an apache-arrow batch in this
 * thread, from the buffers a worker read in a worker thread), so both compute the same states.
 * With `by`, each key's rows are computed once, and the batch's state is the merge of the keys'.
 * A `LossError` names the batch's row and the column of its argument; the caller adds the batch.
 * With `plan.groupLimits`, the groups' states are charged to `charge` (shared by the losses and
 * metrics computed from the same batch; a fresh one by default) as they are built.
 *
 * @example
 * const part = batchMetric(plan, (columns, o) => batchTensors(batch, columns, { ...o, batchIndex }));
 */
export function batchMetric(
  plan: BatchMetricPlan,
  tensorsOf: (columns: Readonly<Record<string, string>>, options: BatchTensorsOptions) => BatchTensors,
  charge?: BatchGroupCharge,
): BatchMetric {
  const { metric, options, by, columns } = plan;
  const descriptor = METRICS[metric as MetricName];
  const partial = (args: Tensor[], o: object): MetricState => descriptor.partial(args[0]!, args[1]!, o);
  // The batch's row of each row the tensors hold, when nulls dropped rows (`nulls: 'skip'`).
  let keep: Int32Array | undefined;
  try {
    const made = tensorsOf(columns, { nulls: plan.nulls });
    keep = made.keep;
    const args = [made.tensors.input!, made.tensors.target!];
    let state: MetricState;
    let groups: MetricGroupState[] | undefined;
    if (by === undefined) state = partial(args, options);
    else {
      const limits = plan.groupLimits;
      groups = keyGroups(
        { partial },
        options,
        args,
        made.tensors[KEY]!,
        by,
        limits === undefined
          ? undefined
          : (charge ?? new BatchGroupCharge()).stream(limits, metric, by, (s: MetricState) =>
              metricGroupBytes(metric, s),
            ),
      ).groups;
      state =
        groups.length === 0
          ? partial(args, options)
          : groups.reduce(
              (acc, g) => mergeMetricInto(acc, g.state),
              createMetricState(metric, groups[0]!.state.params),
            );
    }
    return { rows: made.rows, skipped: made.skipped, state, groups };
  } catch (thrown) {
    const rows = keep;
    const e = rows === undefined ? thrown : errorAtRow(thrown, (row) => rows[row] ?? row);
    if (e instanceof LossError && e.column === undefined) {
      const column = e.argument === 'input' || e.argument === 'target' ? columns[e.argument] : undefined;
      if (column !== undefined) throw e.withContext({ column });
    }
    throw e;
  }
}
