import type { ColumnRows } from '../parquet/fast/ColumnRows.js';
import type { TensorLayout } from '../schema/tensorLayout.js';
import type { BatchReadPlan, PlannedBuffer, PlannedLevel } from './BatchReadPlan.js';
import { rangeRows } from './rangeRows.js';

/** IO region positions of the located rows' buffers are aligned so every typed-array view of one is. */
const IO_ALIGN = 64;

/** One row range of rows located by the Parquet fast path: its plan, and how to fill its IO region. */
export interface LocatedRange {
  /** The range's buffers, packed from the start of an IO region of their own (`ioBytes`). */
  readonly plan: BatchReadPlan;
  /** Copies the range's list offsets (counted from its first value) and values into `io`. */
  readonly fill: (io: Uint8Array) => void;
}

/**
 * The rows of a job located by the Parquet fast path (`located`, `rows` of them), as the row ranges
 * `rangeRows` cuts them into (with the job's list values, as `rowRangePlans` cuts a decoded batch
 * and rx's in-thread path an apache-arrow one: the same ranges, so the same bits) — or as one range
 * when `rangeBytes` is undefined or the rows fit in one. Each range is filled and run on its own,
 * in an IO region of its own size: a thread holds one range's values (about `rangeBytes`), not the
 * job's (a 65,536-row batch of 100 floats a row is 26 MB), and the kernel reads them while the
 * copy left them in cache.
 *
 * @example
 * for (const { plan, fill } of locatedRanges(located, 65_536, layouts, RANGE_BYTES)) run(plan, fill);
 */
export function locatedRanges(
  located: readonly ColumnRows[],
  rows: number,
  layouts: readonly TensorLayout[],
  rangeBytes: number | undefined,
): LocatedRange[] {
  const elements = located.map((r) => (r.column.layout === 'list' ? r.hi - r.lo : undefined));
  const step = rangeBytes === undefined ? undefined : rangeRows(layouts, rangeBytes, { rows, elements });
  if (step === undefined || step >= rows) return [locatedRange(located, 0, rows, false)];
  const ranges: LocatedRange[] = [];
  for (let first = 0; first < rows; first += step)
    ranges.push(locatedRange(located, first, Math.min(step, rows - first), true));
  return ranges;
}

/** Rows `[first, first + count)` of the located rows as a plan of their own and its fill. */
function locatedRange(
  located: readonly ColumnRows[],
  first: number,
  count: number,
  cut: boolean,
): LocatedRange {
  let ioBytes = 0;
  const place = (length: number): PlannedBuffer => {
    const at = Math.ceil(ioBytes / IO_ALIGN) * IO_ALIGN;
    ioBytes = at + length;
    return { at, length };
  };
  // Per column: the range's first and end value (counted from the located rows' first) and where
  // its offsets and values go.
  const parts = located.map((r) => {
    const { layout } = r.column;
    const offsets = r.offsets;
    const n = layout === 'fixed' ? r.column.listSize : 1;
    const from = offsets === undefined ? first * n : offsets[first]!;
    const to = offsets === undefined ? (first + count) * n : offsets[first + count]!;
    const placedOffsets = layout === 'list' ? place((count + 1) * 4) : undefined;
    const values = place((to - from) * r.column.valueBytes);
    const leaf: PlannedLevel = {
      length: to - from,
      nullCount: 0,
      validity: undefined,
      offsets: undefined,
      values,
    };
    const levels: PlannedLevel[] =
      layout === 'scalar'
        ? [leaf]
        : [
            { length: count, nullCount: 0, validity: undefined, offsets: placedOffsets, values: undefined },
            leaf,
          ];
    return { r, from, to, placedOffsets, values, levels };
  });
  const plan: BatchReadPlan = {
    index: 0,
    rows: count,
    ...(cut ? { firstRow: first } : {}),
    ioBytes,
    reads: [],
    columns: parts.map((p) => p.levels),
  };
  const fill = (io: Uint8Array): void => {
    for (const { r, from, to, placedOffsets, values } of parts) {
      const offsets = r.offsets;
      if (offsets !== undefined && placedOffsets !== undefined) {
        const out = new DataView(io.buffer, io.byteOffset + placedOffsets.at, 4 * (count + 1));
        for (let i = 0; i <= count; i++) out.setInt32(4 * i, offsets[first + i]! - from, true);
      }
      r.copyValues(io.subarray(values.at, values.at + values.length), from, to);
    }
  };
  return { plan, fill };
}
