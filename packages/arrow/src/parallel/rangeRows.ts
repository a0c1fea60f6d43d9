import type { ElementType, TensorLayout } from '../schema/tensorLayout.js';

/**
 * Bytes of the selected columns per row range (default of `WorkerReadOptions.rangeBytes`): big
 * enough that a range's job costs far more than its message, small enough that every thread gets
 * ranges of a big batch and an IO region stays a few MB, whatever the batch size.
 */
export const RANGE_BYTES = 4 * 1024 * 1024;

/**
 * Ranges start at multiples of this many rows, so every validity bitmap of a range starts on a
 * byte (one bit per slot, and a slot count per row that is a whole number).
 */
const ROW_STEP = 64;

/** Bytes of one value of each element type. */
export const ELEMENT_BYTES: Readonly<Record<ElementType, number>> = {
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
};

/** A batch's variable-length list columns, for {@link rangeRows}. */
export interface ListExtent {
  /** The batch's rows (those used: fewer at a row limit). */
  readonly rows: number;
  /** For each layout that is a variable-length list, its list elements in the batch as stored (the child's length). */
  readonly elements: readonly (number | undefined)[];
}

/**
 * The rows per row range the worker pool cuts a big batch of these columns into (see
 * `WorkerPlan.merge`), or `undefined` when it does not cut it: a computation in this thread that
 * cuts a batch the same way and merges the ranges in row order gets the same bits as the pool, for
 * any thread count. A batch of at most this many rows is one range. A variable-length list column
 * counts its batch's mean list length (`lists`), so its ranges hold about `rangeBytes` too; without
 * it, a batch with a list column is not cut. Whole numbers only, summed before the one division, so
 * the step does not depend on the order of the columns.
 *
 * @param layouts the layouts of the selected columns, each column once.
 * @example
 * const step = rangeRows([tensorLayout(logits), tensorLayout(label)]); // 4 MiB of both columns' values
 */
export function rangeRows(
  layouts: readonly TensorLayout[],
  rangeBytes: number = RANGE_BYTES,
  lists?: ListExtent,
): number | undefined {
  let bytesPerRow = 0;
  let listBytes = 0;
  for (const [i, layout] of layouts.entries()) {
    const perElement = layout.fixed.reduce((n, size) => n * size, 1) * ELEMENT_BYTES[layout.dtype];
    if (layout.list === undefined) {
      bytesPerRow += perElement;
      continue;
    }
    const elements = lists?.elements[i];
    if (elements === undefined || !Number.isSafeInteger(elements) || elements < 0) return undefined;
    listBytes += elements * perElement;
  }
  if (listBytes > 0) {
    const rows = lists!.rows;
    if (!(rows > 0)) return undefined;
    bytesPerRow = (bytesPerRow * rows + listBytes) / rows;
  }
  if (bytesPerRow === 0) return undefined;
  return Math.max(ROW_STEP, Math.floor(rangeBytes / bytesPerRow / ROW_STEP) * ROW_STEP);
}
