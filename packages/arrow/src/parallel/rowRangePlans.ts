import type { RecordBatchHeader } from '../ipc/ipcMetadata.js';
import type { TensorLayout } from '../schema/tensorLayout.js';
import { type BatchReadPlan, batchReadPlan } from './BatchReadPlan.js';
import type { BatchSlots } from './batchSlots.js';
import { ELEMENT_BYTES, rangeRows } from './rangeRows.js';

/**
 * The read plans of a record batch's first `rows` rows as row ranges of a fixed number of rows
 * (from `rangeBytes` and the columns' bytes per row, never from the thread count), in row order,
 * each with `firstRow` set: a worker reads only its range's bytes of each buffer, so a big batch is
 * read and computed by every thread, in IO regions the size of a range. A batch no bigger than one
 * range, or one whose columns cannot be cut by rows without reading their offsets (a variable-length
 * list), or whose buffers are shorter than their rows need (a damaged file: the whole-batch plan
 * reports it as it always has), is one plan, as {@link batchReadPlan} makes it.
 *
 * @throws {ArrowReadError} `CORRUPT` as {@link batchReadPlan} does.
 * @example
 * const plans = rowRangePlans(header, bodyOffset, bodyLength, slots, names, layouts, 0, header.rows, 'log.arrows', RANGE_BYTES);
 */
export function rowRangePlans(
  header: RecordBatchHeader,
  bodyOffset: number,
  bodyLength: number,
  slots: BatchSlots,
  names: readonly string[],
  layouts: readonly TensorLayout[],
  index: number,
  rows: number,
  file: string,
  rangeBytes: number,
): BatchReadPlan[] {
  // Also checks every buffer against the body, so the ranges below only ever read inside it.
  const whole = batchReadPlan(header, bodyOffset, bodyLength, slots, names, index, rows, file);
  const step = rangeStep(header, slots, names, layouts, rows, rangeBytes);
  if (step === undefined || step >= rows) return [whole];
  const nodes = new Float64Array(header.nodes);
  const buffers = new Float64Array(header.buffers);
  const plans: BatchReadPlan[] = [];
  for (let first = 0; first < rows; first += step) {
    const count = Math.min(step, rows - first);
    names.forEach((name, i) => {
      const levels = slots.columns.get(name)!;
      const layout = layouts[i]!;
      let perRow = 1;
      levels.forEach((s, depth) => {
        nodes[2 * s.node] = count * perRow;
        // The range may hold none of the batch's nulls: −1 (unknown) lets its bitmap tell.
        const bitmap = hasBitmap(header, s.node, s.validity);
        nodes[2 * s.node + 1] = bitmap ? -1 : 0;
        if (bitmap)
          cut(buffers, header.buffers, s.validity, (first * perRow) / 8, Math.ceil((count * perRow) / 8));
        if (s.data >= 0) {
          const width = ELEMENT_BYTES[layout.dtype];
          cut(buffers, header.buffers, s.data, first * perRow * width, count * perRow * width);
        }
        if (s.kind === 'fixed') perRow *= layout.fixed[depth]!;
      });
    });
    const range: RecordBatchHeader = { ...header, rows: count, nodes, buffers };
    plans.push({
      ...batchReadPlan(range, bodyOffset, bodyLength, slots, names, index, count, file),
      firstRow: first,
    });
  }
  return plans;
}

/**
 * Whether a level's nulls are in its validity bitmap: a null count above 0, or −1 (unknown, as
 * apache-arrow writes it) with a bitmap; −1 without one means no nulls, as `batchTensors` reads it.
 */
function hasBitmap(header: RecordBatchHeader, node: number, validity: number): boolean {
  const nulls = header.nodes[2 * node + 1]!;
  return nulls > 0 || (nulls < 0 && header.buffers[2 * validity + 1]! > 0);
}

/** Sets buffer `b` of `into` to the `length` bytes at `offset` within buffer `b` of `from`. */
function cut(into: Float64Array, from: Float64Array, b: number, offset: number, length: number): void {
  into[2 * b] = from[2 * b]! + offset;
  into[2 * b + 1] = length;
}

/**
 * Rows per range for these columns (a multiple of 64), or `undefined` when the batch cannot be cut
 * by rows here: a variable-length list, or a level whose length or buffers do not match its rows.
 */
function rangeStep(
  header: RecordBatchHeader,
  slots: BatchSlots,
  names: readonly string[],
  layouts: readonly TensorLayout[],
  rows: number,
  rangeBytes: number,
): number | undefined {
  for (const [i, name] of names.entries()) {
    const layout = layouts[i]!;
    const levels = slots.columns.get(name);
    if (levels === undefined || layout.list !== undefined || levels.length !== layout.fixed.length + 1) {
      return undefined;
    }
    let perRow = 1;
    for (const [depth, s] of levels.entries()) {
      if (s.kind === 'list' || s.kind === 'largeList') return undefined;
      if (header.nodes[2 * s.node]! !== header.rows * perRow) return undefined;
      const bitmapNeeded = Math.ceil((rows * perRow) / 8);
      if (hasBitmap(header, s.node, s.validity) && header.buffers[2 * s.validity + 1]! < bitmapNeeded) {
        return undefined;
      }
      if (s.data >= 0) {
        const width = ELEMENT_BYTES[layout.dtype];
        if (header.buffers[2 * s.data + 1]! < rows * perRow * width) return undefined;
      }
      if (s.kind === 'fixed') {
        const size = layout.fixed[depth];
        if (size === undefined) return undefined;
        perRow *= size;
      }
    }
  }
  // The same step this thread cuts a batch by (rx), so both give the same bits.
  return rangeRows(layouts, rangeBytes);
}
