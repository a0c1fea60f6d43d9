import type { RecordBatch } from 'apache-arrow';
import { ArrowReadError, type ArrowReadErrorContext } from '../errors/ArrowReadError.js';
import { missingColumnError } from '../schema/missingColumnError.js';
import { tensorLayout } from '../schema/tensorLayout.js';
import { type ColumnRef, checkColumn, nullRows, nullValueError, valuesTensor } from './ColumnRef.js';
import type { Tensor } from './Tensor.js';

/**
 * One column of a record batch as a tensor (a `@lossflow/core` `Tensor`) of shape `(rows, …)`, without copying
 * its values: the tensor's data is a view of the batch's buffer.
 *
 * | Arrow column | tensor |
 * | --- | --- |
 * | `Float32` / `Float64` | `(rows)` |
 * | `Int8`…`Int64`, `UInt8`…`UInt32` | `(rows)`, same typed array (`Int64` → `BigInt64Array`) |
 * | `FixedSizeList<T>[C]` | `(rows, C)`; nested fixed-size lists add dimensions |
 * | `arrow.fixed_shape_tensor` (extension) | `(rows, …shape)` |
 * | `List<T>` / `LargeList<T>`, every row of length C | `(rows, C)` |
 *
 * Throws {@link ArrowReadError}: `MISSING_COLUMN`, `BAD_COLUMN_TYPE` or `UNSUPPORTED` for a column
 * that cannot become a tensor, `NULL_VALUE` naming the first row with a null, `RAGGED` for list
 * rows of different lengths, `CORRUPT` for buffers shorter than the batch says.
 *
 * @example
 * const logits = columnTensor(batch, 'logits'); // { data: Float32Array, shape: [rows, 10] }
 */
export function columnTensor(batch: RecordBatch, column: string): Tensor {
  const ref = columnRef(batch, column);
  const rows = batch.numRows;
  checkColumn(ref, rows, {});
  const nulls = nullRows(ref, rows, {});
  if (nulls !== undefined) throw nullValueError(ref.name, nulls.indexOf(1), {});
  return valuesTensor(ref, rows, {});
}

/** Finds `column` in `batch` and checks that its type can become a tensor. */
export function columnRef(
  batch: RecordBatch,
  column: string,
  context: ArrowReadErrorContext = {},
): ColumnRef {
  const index = batch.schema.fields.findIndex((f) => f.name === column);
  const field = batch.schema.fields[index];
  const data = batch.data.children[index];
  if (field === undefined || data === undefined) throw missingColumnError(batch.schema, column, context);
  const layout = tensorLayout(field);
  if (!layout.usable) {
    throw new ArrowReadError(layout.code, `${layout.reason} (type ${String(field.type)})`, {
      ...context,
      column,
      hint: layout.hint,
    });
  }
  return { name: column, data, layout };
}
