import type { MetricState } from '@lossflow/core';
import type { GroupKey } from './LossChunk.js';

/** The partial metric state of one group's rows within a batch. */
export interface MetricGroupState {
  readonly key: GroupKey;
  readonly state: MetricState;
}

/**
 * What a metric operator emits for each record batch: the mergeable state of the batch's rows and,
 * with `by`, of each key's rows. `reduceMetric` / `reduceMetricGroups` merge them, so the value
 * equals the one-shot metric over all rows however the rows were batched.
 */
export interface MetricChunk {
  /** The `@lossflow/core` metric (`accuracy`, `f1`, …). */
  readonly metric: string;
  /** 0-based index of the batch in this subscription. */
  readonly batch: number;
  /** Rows of the batch that entered the metric. */
  readonly rows: number;
  /** Rows dropped because of nulls (with `nulls: 'skip'`). */
  readonly skipped: number;
  readonly state: MetricState;
  /** With `by`: each distinct key's state, in the order keys first appear in the batch. */
  readonly groups: readonly MetricGroupState[] | undefined;
  /** The file the batch was read from, when `fromFile` read it. */
  readonly file?: string | undefined;
}

/** A reduced metric of one group, as `reduceMetricGroups` emits it. */
export interface MetricGroupValue {
  readonly key: GroupKey;
  readonly value: number | number[] | number[][];
  /** Rows counted in the group. */
  readonly rows: number;
  /** For a metric computed on a grid (`auroc`): the largest difference to the exact value (see `metricErrorBound`). */
  readonly errorBound?: number | number[];
}
