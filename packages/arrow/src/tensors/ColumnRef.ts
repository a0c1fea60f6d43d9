import type { Data } from 'apache-arrow';
import { ArrowReadError, type ArrowReadErrorContext } from '../errors/ArrowReadError.js';
import type { TensorLayout } from '../schema/tensorLayout.js';
import type { Tensor, TensorData } from './Tensor.js';

// Kept free of apache-arrow at run time (it only reads the members of `Data` it needs), so worker
// threads that lay out columns from their own buffers use the same checks and views.

/** A column of one batch, found and checked: its data and how its values lie. */
export interface ColumnRef {
  readonly name: string;
  readonly data: Data;
  readonly layout: TensorLayout;
}

/** The `NULL_VALUE` error for a null in `column` at `row`. */
export function nullValueError(column: string, row: number, context: ArrowReadErrorContext): ArrowReadError {
  return new ArrowReadError('NULL_VALUE', 'a selected row holds a null', {
    ...context,
    column,
    row,
    hint: "Fill or drop the nulls when writing the log, or pass nulls: 'skip' to leave such rows out.",
  });
}

/**
 * Which of the first `rows` rows hold a null anywhere (the row itself or any element of it), as a
 * 0/1 mask; `undefined` when none does, which is the common case and costs one check per level.
 * Call {@link checkColumn} first: it checks the buffers this walks.
 */
export function nullRows(
  ref: ColumnRef,
  rows: number,
  context: ArrowReadErrorContext,
): Uint8Array | undefined {
  const { data, layout } = ref;
  const ctx = { ...context, column: ref.name };
  let mask: Uint8Array | undefined;
  if (hasNulls(data, rows, ctx)) {
    mask = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) if (!isValid(data, r)) mask[r] = 1;
  }
  if (layout.list === undefined) {
    let level = data;
    let perRow = 1;
    for (const size of layout.fixed) {
      level = childOf(level, ctx);
      perRow *= size;
      const n = rows * perRow;
      if (!hasNulls(level, n, ctx)) continue;
      mask ??= new Uint8Array(rows);
      for (let k = 0; k < n; k++) if (!isValid(level, k)) mask[Math.floor(k / perRow)] = 1;
    }
    return anyNull(mask);
  }
  const offsets = listOffsets(data, rows, ctx);
  let level = childOf(data, ctx);
  let perElement = 1;
  for (let depth = 0; ; depth++) {
    const end = offsets[rows]! * perElement;
    if (hasNulls(level, end, ctx)) {
      mask ??= new Uint8Array(rows);
      for (let r = 0; r < rows; r++) {
        const to = offsets[r + 1]! * perElement;
        for (let k = offsets[r]! * perElement; k < to; k++) {
          if (!isValid(level, k)) {
            mask[r] = 1;
            break;
          }
        }
      }
    }
    if (depth === layout.fixed.length) break;
    perElement *= layout.fixed[depth]!;
    level = childOf(level, ctx);
  }
  return anyNull(mask);
}

/**
 * `mask`, or `undefined` when it marks no row: a bitmap (or a null count of −1, unknown) may cover
 * these rows without any of them being null — a row range of a batch whose nulls lie elsewhere, or
 * the first rows of a batch read with a limit — and callers read a mask as "some row is null".
 */
function anyNull(mask: Uint8Array | undefined): Uint8Array | undefined {
  return mask === undefined || mask.indexOf(1) === -1 ? undefined : mask;
}

/**
 * Checks that the column's buffers hold what its first `rows` rows need (values, list offsets),
 * so that no later step reads past them; a shortfall is `CORRUPT`.
 */
export function checkColumn(ref: ColumnRef, rows: number, context: ArrowReadErrorContext): void {
  const { data, layout } = ref;
  const ctx = { ...context, column: ref.name };
  const inner = layout.fixed.reduce((a, b) => a * b, 1);
  if (layout.list === undefined) {
    leafValues(data, layout.fixed.length, rows * inner, ctx);
    return;
  }
  const offsets = listOffsets(data, rows, ctx);
  leafValues(childOf(data, ctx), layout.fixed.length, offsets[rows]! * inner, ctx);
}

/**
 * The column's values as a tensor: a view of the batch's buffer, or, when `keep` lists the rows to
 * keep (nulls being skipped), a compact copy of just those rows.
 */
export function valuesTensor(
  ref: ColumnRef,
  rows: number,
  context: ArrowReadErrorContext,
  keep?: Int32Array,
): Tensor {
  const { data, layout } = ref;
  const ctx = { ...context, column: ref.name };
  const inner = layout.fixed.reduce((a, b) => a * b, 1);
  if (layout.list === undefined) {
    const values = leafValues(data, layout.fixed.length, rows * inner, ctx);
    if (keep === undefined)
      return { data: values.subarray(0, rows * inner), shape: [rows, ...layout.rowShape] };
    const out = gather(values, keep, inner, (r) => r * inner);
    return { data: out, shape: [keep.length, ...layout.rowShape] };
  }
  const offsets = listOffsets(data, rows, ctx);
  const child = childOf(data, ctx);
  const values = leafValues(child, layout.fixed.length, offsets[rows]! * inner, ctx);
  const length = rowLength(offsets, rows, keep, ctx);
  const rowSize = length * inner;
  if (keep === undefined) {
    const start = offsets[0]! * inner;
    return { data: values.subarray(start, start + rows * rowSize), shape: [rows, length, ...layout.fixed] };
  }
  const out = gather(values, keep, rowSize, (r) => offsets[r]! * inner);
  return { data: out, shape: [keep.length, length, ...layout.fixed] };
}

type Values = TensorData;

/** The leaf values `depth` fixed-size-list levels below `data`, checked to hold `needed` values. */
function leafValues(data: Data, depth: number, needed: number, context: ArrowReadErrorContext): Values {
  let level = data;
  for (let i = 0; i < depth; i++) level = childOf(level, context);
  const values = level.values as Values | undefined;
  if (values === undefined || !ArrayBuffer.isView(values)) {
    throw new ArrowReadError('CORRUPT', 'the column has no value buffer', context);
  }
  if (values.length < needed || level.length < needed) {
    throw new ArrowReadError(
      'CORRUPT',
      `the column holds ${Math.min(values.length, level.length)} values but its rows need ${needed}`,
      { ...context, hint: 'The batch is damaged: export the file again.' },
    );
  }
  return values;
}

function childOf(data: Data, context: ArrowReadErrorContext): Data {
  const child = data.children[0];
  if (child === undefined) throw new ArrowReadError('CORRUPT', 'a list column has no child values', context);
  return child;
}

/** List offsets of the first `rows` rows as numbers, checked to rise and to stay within the child. */
function listOffsets(data: Data, rows: number, context: ArrowReadErrorContext): ArrayLike<number> {
  const raw = data.valueOffsets as Int32Array | BigInt64Array | undefined;
  if (raw === undefined || raw.length < rows + 1) {
    throw new ArrowReadError('CORRUPT', 'the list offsets are shorter than the batch', context);
  }
  let offsets: ArrayLike<number>;
  if (raw instanceof BigInt64Array) {
    const converted = new Float64Array(rows + 1);
    for (let i = 0; i <= rows; i++) converted[i] = Number(raw[i]);
    offsets = converted;
  } else offsets = raw;
  const childLength = data.children[0]?.length ?? 0;
  if (offsets[0]! < 0 || offsets[rows]! > childLength) {
    throw new ArrowReadError('CORRUPT', 'the list offsets point outside the list values', context);
  }
  for (let r = 0; r < rows; r++) {
    if (offsets[r + 1]! < offsets[r]!) {
      throw new ArrowReadError('CORRUPT', 'the list offsets decrease', { ...context, row: r });
    }
  }
  return offsets;
}

/** The one length every considered row has (all rows, or those in `keep`), or a `RAGGED` error. */
function rowLength(
  offsets: ArrayLike<number>,
  rows: number,
  keep: Int32Array | undefined,
  context: ArrowReadErrorContext,
): number {
  const n = keep === undefined ? rows : keep.length;
  if (n === 0) return 0;
  const first = keep === undefined ? 0 : keep[0]!;
  const length = offsets[first + 1]! - offsets[first]!;
  for (let i = 1; i < n; i++) {
    const r = keep === undefined ? i : keep[i]!;
    const l = offsets[r + 1]! - offsets[r]!;
    if (l !== length) {
      throw new ArrowReadError(
        'RAGGED',
        `list rows have different lengths (${length} in row ${first}, ${l} here)`,
        {
          ...context,
          row: r,
          hint: 'Every row of an input or target list must have the same length; pad or filter the rows when writing.',
        },
      );
    }
  }
  return length;
}

function gather(values: Values, keep: Int32Array, rowSize: number, start: (row: number) => number): Values {
  const Ctor = values.constructor as new (n: number) => Values;
  const out = new Ctor(keep.length * rowSize);
  // Element loops for short rows; `set` (one view per row) only where a row is long enough to pay for it.
  const src = values as Float64Array;
  const dst = out as Float64Array;
  if (rowSize < 64) {
    for (let i = 0, at = 0; i < keep.length; i++) {
      const from = start(keep[i]!);
      for (let j = 0; j < rowSize; j++) dst[at++] = src[from + j]!;
    }
    return out;
  }
  for (let i = 0; i < keep.length; i++) {
    const from = start(keep[i]!);
    dst.set(src.subarray(from, from + rowSize), i * rowSize);
  }
  return out;
}

/** Whether the first `length` slots of `data` may hold nulls; checks the validity bitmap covers them. */
function hasNulls(data: Data, length: number, context: ArrowReadErrorContext): boolean {
  if (length === 0 || data.nullCount === 0) return false;
  const bitmap = data.nullBitmap;
  // A null count of −1 is unknown (apache-arrow writes it): without a bitmap, there are no nulls.
  if (data.nullCount < 0 && (bitmap === undefined || bitmap.length === 0)) return false;
  if (bitmap === undefined || bitmap.length * 8 < data.offset + length) {
    throw new ArrowReadError('CORRUPT', 'the validity bitmap is shorter than the column', context);
  }
  return true;
}

function isValid(data: Data, index: number): boolean {
  const bit = data.offset + index;
  return ((data.nullBitmap![bit >> 3]! >> (bit & 7)) & 1) === 1;
}
