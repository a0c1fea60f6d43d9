import type { LossState, Tensor } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';

/** A value of a grouping column (`epoch`, a split name, …): numbers stay numbers, int64 beyond 2^53 become strings. */
export type GroupKey = number | string;

/** The partial state of one group's rows within a batch. */
export interface GroupState {
  readonly key: GroupKey;
  readonly state: LossState;
}

/**
 * What a loss operator emits for each record batch: the mergeable partial state of the batch's
 * rows, and on request the per-group states and per-row losses. Reductions merge the states, so
 * the final value equals the one-shot loss over all rows, however the rows were batched.
 */
export interface LossChunk {
  /** The `@lossflow/core` function (`crossEntropy`, `mseLoss`, …). */
  readonly loss: string;
  /** 0-based index of the batch in this subscription. */
  readonly batch: number;
  /** Rows of the batch that entered the loss. */
  readonly rows: number;
  /** Rows dropped because of nulls (with `nulls: 'skip'`). */
  readonly skipped: number;
  /** The batch's partial state. */
  readonly state: LossState;
  /**
   * With `by`: the state of each distinct key of the batch, in the order keys first appear in it
   * (one state per key however often keys alternate; a key may recur in later batches).
   */
  readonly groups: readonly GroupState[] | undefined;
  /** With `perRow: true`: the unreduced losses (`reduction: 'none'`), one per row. */
  readonly perRow: Tensor | undefined;
  /** With `step`: the step column's values at the batch's last row and at each group's last row. */
  readonly steps?: ChunkSteps | undefined;
  /**
   * The row shape (shape without dimension 0) of each of the loss's columns in this batch, by
   * column name (`{ logits: [3], label: [] }`); `undefined` for a batch without rows (nothing to
   * check). The operators and reductions reject a stream whose row shapes change (`SHAPE_CHANGED`).
   */
  readonly rowShapes?: RowShapes | undefined;
  /**
   * The float type of each of the loss's float columns in this batch, by column name
   * (`{ logits: 'float32' }`); `undefined` for a batch without rows. A stream whose float types
   * change (float32 logits in one file, float64 in the next) is rejected (`DTYPE_CHANGED`): its
   * value would be computed partly in each precision. Integer columns are not listed.
   */
  readonly rowDtypes?: RowDtypes | undefined;
  /** The file the batch was read from, when `fromFile` read it (for errors across files). */
  readonly file?: string | undefined;
  /**
   * The record batch the chunk was computed from (for key columns of per-row output); `undefined`
   * when a worker thread read and computed the batch (`fromFile` with `threads`).
   */
  readonly source: RecordBatch | undefined;
}

/** Float types by column name (see {@link LossChunk.rowDtypes}). */
export type RowDtypes = Readonly<Record<string, 'float32' | 'float64'>>;

/** Row shapes by column name (see {@link LossChunk.rowShapes}). */
export type RowShapes = Readonly<Record<string, readonly number[]>>;

/**
 * Where a chunk's rows end along a step column (a loss operator's `step` option), for plotting
 * running values against training steps: its value at the batch's last row (NaN for a batch
 * whose rows were all skipped), and with `by`, at the last row of each of `groups` (same order).
 */
export interface ChunkSteps {
  readonly last: number;
  /** With `by`: the step at the last row of each key in the batch (its last run's last row). */
  readonly groups: readonly number[] | undefined;
}

/** A reduced value of one group, as `reduceGroups` / `runningGroups` emit it. */
export interface GroupValue {
  readonly key: GroupKey;
  readonly value: number;
  /** Rows counted in the group so far. */
  readonly rows: number;
}
