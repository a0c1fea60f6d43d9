import { makeData, RecordBatch, type Schema, Struct, util } from 'apache-arrow';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { copyLeftOut } from './leftOutColumns.js';

/**
 * `batch` relabelled with `schema`: its columns picked by name in the schema's order, types
 * checked to match, data shared. Every batch of a reader then carries the same schema object, so a
 * consumer can resolve its columns once per schema rather than once per batch.
 *
 * @example
 * const projected = withSchema(batch, batch.schema.select(['logits', 'target']));
 */
export function withSchema(batch: RecordBatch, schema: Schema): RecordBatch {
  if (batch.schema === schema) return batch;
  const fields = batch.schema.fields;
  const children = schema.fields.map((field) => {
    const index = fields.findIndex((f) => f.name === field.name);
    const data = batch.data.children[index];
    if (data === undefined || !util.compareTypes(fields[index]!.type, field.type)) {
      throw new ArrowReadError(
        'CORRUPT',
        `column '${field.name}' is ${data === undefined ? 'missing from' : `${String(fields[index]!.type)} in`} a batch whose schema says ${String(field.type)}`,
        { column: field.name, hint: 'The batches of one file must share its schema: export the file again.' },
      );
    }
    return data;
  });
  const projected = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }),
  );
  copyLeftOut(schema, projected.schema);
  return projected;
}
