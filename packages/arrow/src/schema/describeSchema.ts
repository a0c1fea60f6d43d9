import type { Schema } from 'apache-arrow';
import { type ElementType, tensorLayout } from './tensorLayout.js';

/** One column as {@link describeSchema} reports it. */
export interface ColumnDescription {
  name: string;
  /** The Arrow type, as apache-arrow prints it (`FixedSizeList[10]<Float32>`, `Int64`). */
  type: string;
  /** Per-row tensor shape: `[]` for scalars, `[10]` for 10 logits; `-1` for a list length known only per batch. */
  shape: number[];
  /** Element type of the tensor, when the column can become one. */
  dtype: ElementType | undefined;
  /** Why the column cannot become a tensor, when it cannot. */
  problem: string | undefined;
}

/**
 * The columns of a schema with their types and the per-row tensor shape each would have, for
 * `lossflow inspect` and for error messages.
 *
 * @example
 * describeSchema(await readBatches(bytes).schema());
 * // [{ name: 'logits', type: 'FixedSizeList[10]<Float32>', shape: [10], dtype: 'float32', problem: undefined }, …]
 */
export function describeSchema(schema: Schema): ColumnDescription[] {
  return schema.fields.map((field) => {
    const layout = tensorLayout(field);
    return {
      name: field.name,
      type: String(field.type),
      shape: layout.usable ? [...layout.rowShape] : [],
      dtype: layout.usable ? layout.dtype : undefined,
      problem: layout.usable ? undefined : layout.reason,
    };
  });
}

/** The columns as one line for an error message: `epoch (Int32), logits (FixedSizeList[10]<Float32>)`. */
export function listColumns(schema: Schema): string {
  if (schema.fields.length === 0) return 'no columns';
  return schema.fields.map((f) => `${f.name} (${String(f.type)})`).join(', ');
}
