import { LossError, type LossErrorCode, type Tensor } from '@lossflow/core';
import type { LossChunk, RowDtypes, RowShapes } from './LossChunk.js';

/**
 * The row shape (the shape without dimension 0) of each role's column in a batch, by column name:
 * `{ logits: [3], label: [] }`. Plain data, so a worker thread can post it.
 *
 * @example
 * rowShapesOf(['input', 'target'], { input: 'logits', target: 'label' }, tensors);
 */
export function rowShapesOf(
  roles: readonly string[],
  columns: Readonly<Record<string, string>>,
  tensors: Readonly<Record<string, Tensor>>,
): RowShapes {
  const shapes: Record<string, readonly number[]> = {};
  for (const role of roles) {
    const column = columns[role];
    const t = tensors[role];
    if (column !== undefined && t !== undefined) shapes[column] = t.shape.slice(1);
  }
  return shapes;
}

/**
 * The float type of each role's column that holds floats in a batch, by column name:
 * `{ logits: 'float32' }`. Integer columns are left out: Int32 and Int64 targets give the same
 * values. Plain data, so a worker thread can post it.
 *
 * @example
 * rowDtypesOf(['input', 'target'], { input: 'logits', target: 'label' }, tensors); // { logits: 'float32' }
 */
export function rowDtypesOf(
  roles: readonly string[],
  columns: Readonly<Record<string, string>>,
  tensors: Readonly<Record<string, Tensor>>,
): RowDtypes {
  const dtypes: Record<string, 'float32' | 'float64'> = {};
  for (const role of roles) {
    const column = columns[role];
    const data = tensors[role]?.data;
    if (column === undefined) continue;
    if (data instanceof Float32Array) dtypes[column] = 'float32';
    else if (data instanceof Float64Array) dtypes[column] = 'float64';
  }
  return dtypes;
}

/**
 * Checks that the row shape of every column stays the one of the stream's first batch with rows:
 * a `List<Float32>` logits column of 3 values per row in one batch and 2 in the next (or in the
 * next row group, or the next file of a concatenated stream) would otherwise merge into a blended
 * value. The float type of each float column must stay too (`DTYPE_CHANGED`): float32 logits in
 * one file and float64 in the next would be computed partly in each precision, which no single
 * torch call over the concatenation does. One per subscription (of a loss operator, of each
 * reduction). Chunks without `rowShapes` / `rowDtypes` (batches without rows) neither set nor
 * check them.
 */
export class RowShapeCheck {
  readonly #shapes = new Map<string, Seen<readonly number[]>>();
  readonly #dtypes = new Map<string, Seen<string>>();

  /**
   * Throws `SHAPE_CHANGED` naming the loss, column, batch (and file) where a row shape changed,
   * the batch the earlier shape was first seen in (`firstBatch`), and both shapes; `DTYPE_CHANGED`
   * likewise for a float column whose type changed.
   */
  check(chunk: LossChunk): void {
    checkColumns(
      this.#dtypes,
      chunk,
      chunk.rowDtypes,
      (a, b) => a === b,
      (column, now, before) => [
        'DTYPE_CHANGED',
        `the rows of column '${column}' are ${now} but ${before} in the batches before`,
        `Every batch, row group and file of one evaluation must have the same float type, as one torch tensor has: write the logs with one type (e.g. all ${before}), or evaluate them separately.`,
      ],
    );
    checkColumns(this.#shapes, chunk, chunk.rowShapes, sameShape, (column, now, before) => [
      'SHAPE_CHANGED',
      `the rows of column '${column}' have shape [${now.join(', ')}] but [${before.join(', ')}] in the batches before`,
      'Every batch, row group and file of one evaluation must have the same row shape (e.g. the same number of classes): evaluate logs of different shapes separately.',
    ]);
  }
}

/** A column's value (shape or type) as first seen, and where. */
interface Seen<T> {
  readonly value: T;
  readonly batch: number;
  readonly file: string | undefined;
}

/**
 * Records each column's value in `values` the first time it is seen, and throws the error
 * `changed` describes (code, detail, hint) when a later chunk's differs. Where each was seen is
 * context (batch, file, firstBatch, firstFile), not detail, so a layer that numbers batches
 * differently (the CLI, across files) can name them its way.
 */
function checkColumns<T>(
  seen: Map<string, Seen<T>>,
  chunk: LossChunk,
  values: Readonly<Record<string, T>> | undefined,
  same: (a: T, b: T) => boolean,
  changed: (column: string, now: T, before: T) => [LossErrorCode, string, string],
): void {
  if (values === undefined) return;
  for (const column in values) {
    const value = values[column]!;
    const first = seen.get(column);
    if (first === undefined) {
      seen.set(column, { value, batch: chunk.batch, file: chunk.file });
      continue;
    }
    if (same(first.value, value)) continue;
    const [code, detail, hint] = changed(column, value, first.value);
    throw new LossError(code, detail, {
      loss: chunk.loss,
      column,
      batch: chunk.batch,
      firstBatch: first.batch,
      ...(chunk.file === undefined ? {} : { file: chunk.file }),
      ...(first.file === undefined ? {} : { firstFile: first.file }),
      hint,
    });
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
