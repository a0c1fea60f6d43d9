import { ArrowReadError, type ArrowReadErrorContext } from '../errors/ArrowReadError.js';
import { type ColumnRef, checkColumn, nullRows, nullValueError, valuesTensor } from './ColumnRef.js';
import type { Tensor } from './Tensor.js';

/** Options of `batchTensors` (and of {@link tensorsFromColumnRefs}). */
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
  /** When rows were skipped: the batch's row of each kept row, so an error in the tensors can name the batch's row. */
  keep?: Int32Array;
}

/**
 * `batchTensors` over columns already found (`refs`, by column name), whatever holds their
 * buffers: an apache-arrow batch, or the buffers a worker read into its IO region. The tensors of
 * `columns` (role → column name) with the same rows; nulls are an error or drop the row from all.
 *
 * @example
 * const { tensors, rows, skipped } = tensorsFromColumnRefs(refs, { input: 'logits' }, 1024, { nulls: 'skip' });
 */
export function tensorsFromColumnRefs(
  refs: ReadonlyMap<string, ColumnRef>,
  columns: Readonly<Record<string, string>>,
  rows: number,
  options: BatchTensorsOptions = {},
): BatchTensors {
  const context: ArrowReadErrorContext =
    options.batchIndex === undefined ? {} : { batch: options.batchIndex };
  const used = [...new Set(Object.values(columns))].map((name) => refs.get(name)!);
  // A column no other role reads than nullable ones keeps its null rows (and says where they are).
  const nullable = options.nullable ?? [];
  const strict = new Set(
    Object.entries(columns)
      .filter(([role]) => !nullable.includes(role))
      .map(([, name]) => name),
  );
  // Bounds first, so the null scans stay inside the buffers.
  for (const ref of used) checkColumn(ref, rows, context);
  let drop: Uint8Array | undefined;
  const lenientNulls = new Map<string, Uint8Array>();
  for (const ref of used) {
    const mask = nullRows(ref, rows, context);
    if (mask === undefined) continue;
    if (!strict.has(ref.name)) {
      lenientNulls.set(ref.name, mask);
      continue;
    }
    if (options.nulls !== 'skip') throw nullValueError(ref.name, mask.indexOf(1), context);
    if (drop === undefined) drop = mask;
    else for (let r = 0; r < rows; r++) drop[r]! |= mask[r]!;
  }
  let keep: Int32Array | undefined;
  if (drop !== undefined) {
    let dropped = 0;
    for (let r = 0; r < rows; r++) dropped += drop[r]!;
    keep = new Int32Array(rows - dropped);
    for (let r = 0, k = 0; r < rows; r++) if (drop[r] === 0) keep[k++] = r;
  }
  const byColumn = new Map<string, Tensor>();
  for (const ref of used) byColumn.set(ref.name, valuesTensor(ref, rows, context, keep));
  const tensors: Record<string, Tensor> = {};
  for (const [role, name] of Object.entries(columns)) tensors[role] = byColumn.get(name)!;
  const kept = keep === undefined ? rows : keep.length;
  if (options.shapes !== undefined && kept > 0) checkShapes(tensors, columns, options.shapes, context);
  const where = keep === undefined ? {} : { keep };
  if (lenientNulls.size === 0) return { tensors, rows: kept, skipped: rows - kept, ...where };
  const nulls: Record<string, Uint8Array> = {};
  for (const [role, name] of Object.entries(columns)) {
    const mask = lenientNulls.get(name);
    if (mask !== undefined) nulls[role] = keep === undefined ? mask : Uint8Array.from(keep, (r) => mask[r]!);
  }
  return { tensors, rows: kept, skipped: rows - kept, nulls, ...where };
}

function checkShapes(
  tensors: Record<string, Tensor>,
  columns: Readonly<Record<string, string>>,
  shapes: Readonly<Record<string, readonly number[]>>,
  context: ArrowReadErrorContext,
): void {
  for (const [role, expected] of Object.entries(shapes)) {
    const tensor = tensors[role];
    if (tensor === undefined) continue;
    const actual = tensor.shape.slice(1);
    if (actual.length === expected.length && actual.every((d, i) => d === expected[i])) continue;
    throw new ArrowReadError(
      'SHAPE_CHANGED',
      `rows have shape [${actual.join(', ')}] here but [${expected.join(', ')}] in the batches before`,
      {
        ...context,
        column: columns[role]!,
        hint: 'Every batch of a stream must have the same per-row shape (the same number of classes); split the log by shape.',
      },
    );
  }
}
