import { Schema } from 'apache-arrow';
import type { ArrowReadErrorContext } from '../errors/ArrowReadError.js';
import { markLeftOut } from './leftOutColumns.js';
import { missingColumnError } from './missingColumnError.js';

/**
 * The schema of just `columns`, in the order given (apache-arrow's `select` keeps the file's
 * order); an unknown name is `MISSING_COLUMN`, listing the columns there are.
 *
 * @example
 * projectSchema(schema, ['target', 'logits']).fields.map((f) => f.name); // ['target', 'logits']
 */
export function projectSchema(
  schema: Schema,
  columns: readonly string[],
  context: ArrowReadErrorContext = {},
): Schema {
  const fields = columns.map((name) => {
    const field = schema.fields.find((f) => f.name === name);
    if (field === undefined) throw missingColumnError(schema, name, context);
    return field;
  });
  const projected = new Schema(fields, schema.metadata);
  markLeftOut(
    projected,
    schema.fields.map((f) => f.name).filter((name) => !columns.includes(name)),
  );
  return projected;
}
