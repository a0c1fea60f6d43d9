import { resolveColumns } from '@lossflow/arrow';
import { type MetricValue, type TensorInput, tensor } from '@lossflow/core';
import { DataType, type Field, type Schema } from 'apache-arrow';
import type { MetricSelection } from './MetricSelection.js';
import type { MetricResult } from './metricResults.js';

/**
 * The metrics of a run that read no batch, each with the value @lossflow/core gives a batch of no
 * rows of the input's and target's shapes (from the schema): per class (`--average none`) one NaN
 * per class, as many as a run with rows has values; a confusion matrix C × C zeros, as scikit-learn's
 * `confusion_matrix` of no samples (a count of nothing is 0). Without batches there is no state to
 * size the value, so the schema does; a column whose shape the schema does not give (a `List`)
 * keeps the plain NaN.
 */
export function withEmptyValues(
  results: readonly MetricResult[],
  selections: readonly MetricSelection[],
  schema: Schema,
): MetricResult[] {
  return results.map((r, i) => {
    const selection = selections[i];
    // Only a metric that saw no batch: a batch of no rows already gave core's value.
    if (r.rows !== 0 || typeof r.value !== 'number' || selection === undefined) return r;
    const value = emptyValue(selection, schema);
    return value === undefined ? r : { ...r, value };
  });
}

/** Core's value of one batch of no rows, shaped as the schema's columns; undefined when unknown. */
function emptyValue(selection: MetricSelection, schema: Schema): MetricValue | undefined {
  try {
    const given: Record<string, string | undefined> = {
      input: selection.columns.input,
      target: selection.columns.target,
    };
    const resolved = resolveColumns(schema, given);
    const field = (name: string | undefined) => schema.fields.find((f) => f.name === name);
    const input = emptyTensor(field(resolved.input), true);
    const target = emptyTensor(field(resolved.target), false);
    if (input === undefined || target === undefined) return undefined;
    const { entry } = selection;
    return entry.value(entry.partial(input, target, { ...selection.options }));
  } catch {
    // A column the run never resolved, or options core refuses for these shapes: the plain NaN.
    return undefined;
  }
}

/** A tensor of no rows in a column's shape (a fixed-size list's length per row); float scores. */
function emptyTensor(field: Field | undefined, scores: boolean): TensorInput | undefined {
  if (field === undefined) return undefined;
  const type = field.type as DataType;
  if (DataType.isList(type)) return undefined;
  const fixed = DataType.isFixedSizeList(type);
  const values = fixed ? (type.children[0]!.type as DataType) : type;
  const data = scores || DataType.isFloat(values) ? new Float64Array(0) : new Int32Array(0);
  return fixed ? tensor(data, [0, type.listSize]) : data;
}
