import type { Schema } from 'apache-arrow';

/** The file's columns a projected schema leaves out, so a look-up of one can say why it fails. */
const leftOut = new WeakMap<Schema, readonly string[]>();

/**
 * Records that `schema` is a projection (the `columns` option) leaving out the file's `columns`.
 *
 * @example
 * markLeftOut(projected, ['epoch', 'step']);
 */
export function markLeftOut(schema: Schema, columns: readonly string[]): void {
  leftOut.set(schema, columns);
}

/**
 * Whether `column` is in the file but was left out of `schema` by the `columns` option.
 *
 * @example
 * leftOutByProjection(projectSchema(schema, ['logits']), 'epoch'); // true if the file has 'epoch'
 */
export function leftOutByProjection(schema: Schema, column: string): boolean {
  return leftOut.get(schema)?.includes(column) === true;
}

/**
 * Carries the mark of `from` over to `to`, a copy of it (apache-arrow copies a batch's schema
 * when it builds the batch).
 *
 * @example
 * copyLeftOut(projected, batch.schema);
 */
export function copyLeftOut(from: Schema, to: Schema): void {
  const columns = leftOut.get(from);
  if (columns !== undefined && from !== to) leftOut.set(to, columns);
}
