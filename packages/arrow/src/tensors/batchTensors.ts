import type { RecordBatch } from 'apache-arrow';
import type { ArrowReadErrorContext } from '../errors/ArrowReadError.js';
import type { ColumnRef } from './ColumnRef.js';
import { columnRef } from './columnTensor.js';
import {
  type BatchTensors,
  type BatchTensorsOptions,
  tensorsFromColumnRefs,
} from './tensorsFromColumnRefs.js';

// The result and option types live with the code that builds the tensors, which the worker's
// batch view shares: declared here they would make that module import back up into this one.
export type { BatchTensors, BatchTensorsOptions } from './tensorsFromColumnRefs.js';

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
  return tensorsFromColumnRefs(refs, columns, rows, options);
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
