import type { RecordBatchHeader } from '../ipc/ipcMetadata.js';
import type { TensorLayout } from '../schema/tensorLayout.js';
import { type BatchReadPlan, batchReadPlan, type PlannedLevel } from './BatchReadPlan.js';
import type { BatchSlots, LevelSlots } from './batchSlots.js';
import { ELEMENT_BYTES, rangeRows } from './rangeRows.js';

/** Fills `into` from the file at byte `position` (the pool's open file), to the end or failing. */
export type ReadBytesAt = (into: Uint8Array, position: number) => Promise<void>;

/**
 * The read plans of a record batch's first `rows` rows as row ranges of a fixed number of rows
 * (from `rangeBytes` and the columns' bytes per row, never from the thread count), in row order,
 * each with `firstRow` set: a worker reads only its range's bytes of each buffer, so a big batch is
 * read and computed by every thread, in IO regions the size of a range. A variable-length list
 * column is cut too: its offsets at the ranges' first rows are read here (`readAt`, a few bytes a
 * range), so a range reads just its own list values, and its offsets say where they start (see
 * `BatchReadPlan.rebase`). A batch no bigger than one range, or whose buffers are shorter than its
 * rows need, or whose list offsets at those rows fall or point past the values (a damaged file: the
 * whole-batch plan reports it as it always has), is one plan, as {@link batchReadPlan} makes it.
 *
 * @throws {ArrowReadError} `CORRUPT` as {@link batchReadPlan} does; errors of `readAt`.
 * @example
 * const plans = await rowRangePlans(header, bodyOffset, bodyLength, slots, names, layouts, 0, header.rows, 'log.arrows', RANGE_BYTES, readAt);
 */
export async function rowRangePlans(
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
  readAt: ReadBytesAt,
): Promise<BatchReadPlan[]> {
  // Also checks every buffer against the body, so the ranges below only ever read inside it.
  const whole = batchReadPlan(header, bodyOffset, bodyLength, slots, names, index, rows, file);
  const step = rangeStep(header, slots, names, layouts, rows, rangeBytes);
  if (step === undefined || step >= rows) return [whole];
  const firsts: number[] = [];
  for (let first = 0; first < rows; first += step) firsts.push(first);
  // The list offsets at each range's first row and at the last range's end, by column.
  const bounds = new Map<string, Float64Array>();
  for (const [i, name] of names.entries()) {
    const layout = layouts[i]!;
    if (layout.list === undefined) continue;
    const levels = slots.columns.get(name)!;
    const at = await listBounds(header, bodyOffset, levels, layout, [...firsts, rows], readAt);
    if (at === undefined) return [whole];
    bounds.set(name, at);
  }
  const nodes = new Float64Array(header.nodes);
  const buffers = new Float64Array(header.buffers);
  const plans: BatchReadPlan[] = [];
  for (const [k, first] of firsts.entries()) {
    const count = Math.min(step, rows - first);
    // Bit offsets of list values' levels whose ranges start inside a byte of their bitmaps, and
    // the list offsets to rebase (column index, first offset).
    const bitOffsets = new Map<number, number>();
    const rebase: [number, number][] = [];
    names.forEach((name, i) => {
      const levels = slots.columns.get(name)!;
      const layout = layouts[i]!;
      const at = bounds.get(name);
      // Slots per row (fixed columns), or per list element below a list.
      let per = 1;
      let start = first;
      let length = count;
      levels.forEach((s, depth) => {
        nodes[2 * s.node] = length * per;
        // The range may hold none of the batch's nulls: −1 (unknown) lets its bitmap tell.
        const bitmap = hasBitmap(header, s.node, s.validity);
        nodes[2 * s.node + 1] = bitmap ? -1 : 0;
        const from = start * per;
        if (bitmap) {
          cut(
            buffers,
            header.buffers,
            s.validity,
            Math.floor(from / 8),
            Math.ceil(((from % 8) + length * per) / 8),
          );
          if (from % 8 !== 0) bitOffsets.set(s.node, from % 8);
        }
        if (s.offsets >= 0) {
          const width = layout.list === 'largeList' ? 8 : 4;
          cut(buffers, header.buffers, s.offsets, first * width, (count + 1) * width);
          // Below the list, a range covers the list elements its offsets point at.
          start = at![k]!;
          length = at![k + 1]! - start;
          rebase.push([i, start]);
        }
        if (s.data >= 0) {
          const width = ELEMENT_BYTES[layout.dtype];
          cut(buffers, header.buffers, s.data, from * width, length * per * width);
        }
        if (s.kind === 'fixed') per *= layout.fixed[depth - (layout.list === undefined ? 0 : 1)]!;
      });
    });
    const range: RecordBatchHeader = { ...header, rows: count, nodes, buffers };
    const plan = batchReadPlan(range, bodyOffset, bodyLength, slots, names, index, count, file);
    plans.push({
      ...plan,
      columns:
        bitOffsets.size === 0
          ? plan.columns
          : plan.columns.map((levels, i) =>
              levels.map((level, depth): PlannedLevel => {
                const offset = bitOffsets.get(slots.columns.get(names[i]!)![depth]!.node);
                return offset === undefined ? level : { ...level, offset };
              }),
            ),
      firstRow: first,
      ...(rebase.length === 0
        ? {}
        : {
            rebase: rebase.flatMap(([i, base]) => {
              const offsets = plan.columns[i]![0]!.offsets!;
              return [offsets.at, count + 1, base, layouts[i]!.list === 'largeList' ? 8 : 4];
            }),
          }),
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
 * A list column's offsets at `rows` (ascending), read from the file; `undefined` when they fall,
 * or when the levels below the list hold fewer slots, bitmap bits or values than they point at.
 */
async function listBounds(
  header: RecordBatchHeader,
  bodyOffset: number,
  levels: readonly LevelSlots[],
  layout: TensorLayout,
  rows: readonly number[],
  readAt: ReadBytesAt,
): Promise<Float64Array | undefined> {
  const list = levels[0]!;
  const width = layout.list === 'largeList' ? 8 : 4;
  const bytes = new Uint8Array(width);
  const view = new DataView(bytes.buffer);
  const at = new Float64Array(rows.length);
  for (const [k, row] of rows.entries()) {
    await readAt(bytes, bodyOffset + header.buffers[2 * list.offsets]! + row * width);
    const offset = width === 8 ? Number(view.getBigInt64(0, true)) : view.getInt32(0, true);
    if (!Number.isSafeInteger(offset) || offset < 0 || (k > 0 && offset < at[k - 1]!)) return undefined;
    at[k] = offset;
  }
  const end = at[rows.length - 1]!;
  let per = 1;
  for (const [depth, s] of levels.entries()) {
    if (depth === 0) continue;
    if (header.nodes[2 * s.node]! < end * per) return undefined;
    if (
      hasBitmap(header, s.node, s.validity) &&
      header.buffers[2 * s.validity + 1]! < Math.ceil((end * per) / 8)
    )
      return undefined;
    if (s.data >= 0 && header.buffers[2 * s.data + 1]! < end * per * ELEMENT_BYTES[layout.dtype])
      return undefined;
    if (s.kind === 'fixed') per *= layout.fixed[depth - 1]!;
  }
  return at;
}

/**
 * Rows per range for these columns (a multiple of 64), or `undefined` when the batch cannot be cut
 * by rows here: a level whose length or buffers do not match its rows.
 */
function rangeStep(
  header: RecordBatchHeader,
  slots: BatchSlots,
  names: readonly string[],
  layouts: readonly TensorLayout[],
  rows: number,
  rangeBytes: number,
): number | undefined {
  const elements: (number | undefined)[] = [];
  for (const [i, name] of names.entries()) {
    const layout = layouts[i]!;
    const levels = slots.columns.get(name);
    const listed = layout.list === undefined ? 0 : 1;
    if (levels === undefined || levels.length !== layout.fixed.length + 1 + listed) return undefined;
    let perRow = 1;
    for (const [depth, s] of levels.entries()) {
      const isList = s.kind === 'list' || s.kind === 'largeList';
      if (isList !== (depth === 0 && listed === 1)) return undefined;
      if (isList) {
        if (header.nodes[2 * s.node]! !== header.rows) return undefined;
        const width = s.kind === 'largeList' ? 8 : 4;
        if (header.buffers[2 * s.offsets + 1]! < (rows + 1) * width) return undefined;
        if (
          hasBitmap(header, s.node, s.validity) &&
          header.buffers[2 * s.validity + 1]! < Math.ceil(rows / 8)
        )
          return undefined;
        // Its levels below are checked against the offsets once they are read (listBounds).
        elements[i] = header.nodes[2 * levels[1]!.node]!;
        break;
      }
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
  return rangeRows(layouts, rangeBytes, { rows, elements });
}
