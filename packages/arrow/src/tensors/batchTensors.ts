import type { RecordBatch } from 'apache-arrow';
import type { ArrowReadErrorContext } from '../errors/ArrowReadError.js';
import { columnRef } from './columnTensor.js';
import type { ColumnRef } from './columnValues.js';
import { refTensors } from './refTensors.js';
import type { Tensor } from './Tensor.js';

/** Options of {@link batchTensors}. */
export interface BatchTensorsOptions {
  /** A null in a selected column is an error (`'error'`, the default) or drops that row from every tensor (`'skip'`). */
  nulls?: 'error' | 'skip';
  /** The batch's index in its stream, for error messages. */
  batchIndex?: number;
  /**
   * Per-row shapes (the tensor shape past the row dimension) by role, as earlier batches of the same
   * stream had them: a batch whose tensor differs throws `SHAPE_CHANGED`. Empty batches are exempt.
   */
  shapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Roles whose nulls neither fail nor drop a row (e.g. a step column that only labels rows):
   * their null slots come back in `nulls`. A column that another role also reads is not one.
   */
  nullable?: readonly string[];
}

/** The tensors of one batch, by role. */
export interface BatchTensors {
  tensors: Record<string, Tensor>;
  /** Rows in each tensor (the batch's rows less those skipped). */
  rows: number;
  /** Rows dropped because a selected column held a null in them (`nulls: 'skip'`). */
  skipped: number;
  /** For each `nullable` role holding nulls in the rows kept: 1 where the value is null. */
  nulls?: Record<string, Uint8Array>;
}

/**
 * The selected columns of a batch as tensors (`@lossflow/core` `Tensor`s), by role (`input`, `target`,
 * `weight`, …), all with the same rows. Without nulls every tensor is a view of the batch's
 * buffers (see {@link columnTensor} for the type mapping); with `nulls: 'skip'`, the rows holding
 * a null in any selected column are left out of all tensors alike (copying, only then) and counted.
 *
 * @example
 * const { tensors, rows } = batchTensors(batch, { input: 'logits', target: 'label' }, { batchIndex: 7 });
 * crossEntropy(tensors.input, tensors.target);
 */
export function batchTensors(
  batch: RecordBatch,
  columns: Readonly<Record<string, string>>,
  options: BatchTensorsOptions = {},
): BatchTensors {
  const context: ArrowReadErrorContext =
    options.batchIndex === undefined ? {} : { batch: options.batchIndex };
  const rows = batch.numRows;
  const refs = new Map<string, ColumnRef>();
  for (const name of Object.values(columns)) {
    if (!refs.has(name)) refs.set(name, columnRef(batch, name, context));
  }
  return refTensors(refs, columns, rows, options);
}

/**
 * The per-row shape of each tensor (its shape past the row dimension), to pass as
 * {@link BatchTensorsOptions.shapes} for the batches that follow.
 *
 * @example
 * let shapes; for await (const b of reader) { const t = batchTensors(b, cols, { shapes }); shapes ??= rowShapes(t); }
 */
export function rowShapes(t: BatchTensors): Record<string, number[]> | undefined {
  if (t.rows === 0) return undefined;
  const out: Record<string, number[]> = {};
  for (const [role, tensor] of Object.entries(t.tensors)) out[role] = tensor.shape.slice(1);
  return out;
}
