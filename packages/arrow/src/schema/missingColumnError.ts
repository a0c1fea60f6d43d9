import type { Schema } from 'apache-arrow';
import { ArrowReadError, type ArrowReadErrorContext } from '../errors/ArrowReadError.js';
import { listColumns } from './describeSchema.js';
import { leftOutByProjection } from './leftOutColumns.js';

/**
 * The `MISSING_COLUMN` error for `column`, listing the columns the schema does have (with their
 * types) and the nearest name when one differs only in case.
 *
 * @example
 * throw missingColumnError(batch.schema, 'logits', { batch: 3 });
 */
export function missingColumnError(
  schema: Schema,
  column: string,
  context: ArrowReadErrorContext = {},
): ArrowReadError {
  const near = schema.fields.find((f) => f.name.toLowerCase() === column.toLowerCase());
  const hint = leftOutByProjection(schema, column)
    ? `The file has '${column}', but the columns option leaves it out: add it to columns.`
    : near !== undefined
      ? `Did you mean '${near.name}'? Column names are case-sensitive.`
      : 'Pick one of the available columns (lossflow inspect lists them).';
  return new ArrowReadError('MISSING_COLUMN', `no column '${column}'; available: ${listColumns(schema)}`, {
    ...context,
    column,
    hint,
  });
}
