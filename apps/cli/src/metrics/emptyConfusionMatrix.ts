import { resolveColumns } from '@lossflow/arrow';
import { DataType, type Schema } from 'apache-arrow';
import type { MetricSelection } from './MetricSelection.js';
import type { MetricResult } from './metricResults.js';

/**
 * The metrics of a run that counted no rows, with each confusion matrix as C × C zeros (C from the
 * input column's scores per row), as scikit-learn's `confusion_matrix` of no samples: its cells are
 * counts, and a count of nothing is 0, not NaN. Without batches there is no state to size it, so
 * the schema does.
 */
export function withEmptyConfusionMatrices(
  results: readonly MetricResult[],
  selections: readonly MetricSelection[],
  schema: Schema,
): MetricResult[] {
  return results.map((r, i) => {
    const selection = selections[i];
    if (
      r.metric !== 'confusion-matrix' ||
      r.rows !== 0 ||
      typeof r.value !== 'number' ||
      selection === undefined
    )
      return r;
    let input: string | undefined;
    try {
      const given: Record<string, string | undefined> = {
        input: selection.columns.input,
        target: selection.columns.target,
      };
      input = resolveColumns(schema, given).input;
    } catch {
      return r;
    }
    const type = schema.fields.find((f) => f.name === input)?.type;
    if (type === undefined || !DataType.isFixedSizeList(type)) return r;
    const classes = type.listSize;
    return { ...r, value: Array.from({ length: classes }, () => new Array<number>(classes).fill(0)) };
  });
}
