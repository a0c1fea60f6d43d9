import { RecordBatch, type Schema, util } from 'apache-arrow';
import { ArrowReadError } from '../errors/ArrowReadError.js';

/**
 * `batch` labelled with the output's `schema` (of the first batch, or given), after checking its columns have the same names and
 * types: the writers refuse a batch of another schema (`BAD_COLUMN_TYPE`, naming both) rather than
 * letting apache-arrow end the stream or parquet-wasm drop the batch's rows.
 *
 * @example
 * writer.write(sameSchema(batch, schema, 'out.arrows'));
 */
export function sameSchema(
  batch: RecordBatch,
  schema: Schema,
  name: string,
  output: 'stream' | 'file' = 'stream',
): RecordBatch {
  if (batch.schema === schema) return batch;
  const a = batch.schema.fields;
  const b = schema.fields;
  const same =
    a.length === b.length &&
    a.every((f, i) => f.name === b[i]!.name && util.compareTypes(f.type, b[i]!.type));
  if (!same) {
    throw new ArrowReadError(
      'BAD_COLUMN_TYPE',
      `the batch's columns (${describe(batch.schema)}) differ from the ${output}'s (${describe(schema)})`,
      {
        file: name,
        hint: 'Write batches of one schema to one file or stream; start another for another schema.',
      },
    );
  }
  return new RecordBatch(schema, batch.data);
}

function describe(schema: Schema): string {
  return schema.fields.map((f) => `${f.name}: ${String(f.type)}`).join(', ');
}
