import type { MetricValue } from '@lossflow/core';
import { type DisplayKey, keyLabel } from '../eval/displayKey.js';
import type { MetricResult } from '../metrics/metricResults.js';
import type { Style } from './ansi.js';
import { lossColumnFormat } from './lossColumnFormat.js';
import { boundedCell, metricCell } from './metricOutput.js';

/** Significant digits of a metric column's smallest value: the table's metrics are 4-digit figures. */
const METRIC_DIGITS = 4;

/** The table cells of the metrics with one number per row: headers, a group's cells, the total's. */
export interface MetricColumns {
  readonly headers: readonly string[];
  group(key: DisplayKey): string[];
  readonly total: readonly string[];
}

const scalar = (r: MetricResult) => typeof r.value === 'number';

/**
 * The columns the metrics with a single number add next to the losses' in the results table
 * (accuracy beside cross-entropy); per-class values and matrices go below it (`metricTableLines`).
 */
export function withMetricColumns(results: readonly MetricResult[]): MetricColumns {
  const shown = results.filter(scalar);
  // By label: a key of several names is a fresh object per result.
  const byKey = shown.map((r) => new Map((r.groups ?? []).map((g) => [keyLabel(g.key), g])));
  // One number of decimals per column, as the loss columns: 0.7120 over 1.0000, never 1.000.
  const formats = shown.map((r) =>
    lossColumnFormat([r.value as number, ...(r.groups ?? []).map((g) => g.value as number)], METRIC_DIGITS),
  );
  // auroc's error bound beside its value: the exact value lies within value ± bound.
  const cell = (i: number, v: MetricValue | undefined, bound?: number | number[]): string => {
    return boundedCell(typeof v === 'number' ? formats[i]!(v) : metricCell(v), v, bound);
  };
  return {
    headers: shown.map((r) => r.metric),
    group: (key) =>
      byKey.map((m, i) => {
        const g = m.get(keyLabel(key));
        return cell(i, g?.value, g?.errorBound);
      }),
    total: shown.map((r, i) => cell(i, r.value, r.errorBound)),
  };
}

/**
 * The metrics that are not one number (per class, a confusion matrix), one per line (with a
 * trailing newline): with `--by`, a per-class list per group then `all`; a confusion matrix over
 * all rows, with a note where the groups' matrices are.
 */
export function metricTableLines(
  results: readonly MetricResult[],
  style: Style,
  by?: string | undefined,
): string {
  const lines = results
    .filter((r) => !scalar(r))
    .map((r) => {
      if (Array.isArray(r.value) && Array.isArray(r.value[0])) {
        const rows = (r.value as number[][]).map(
          (row) => `  ${row.map((v) => String(v).padStart(6)).join(' ')}`,
        );
        const note =
          r.groups === undefined || r.groups.length === 0
            ? ''
            : `\n  ${style.dim(`(all rows; each ${by ?? 'group'}'s matrix: --format json, or the --report heat map)`)}`;
        return `${style.bold(r.metric)} (rows: true class, columns: predicted)\n${rows.join('\n')}${note}`;
      }
      const withBound = (v: MetricValue, bound?: number | number[]) => boundedCell(metricCell(v), v, bound);
      if (r.groups === undefined || r.groups.length === 0)
        return `${style.bold(r.metric)} ${withBound(r.value, r.errorBound)}`;
      const labels = [...r.groups.map((g) => `${by ?? 'group'} ${keyLabel(g.key)}`), 'all'];
      const width = Math.max(...labels.map((l) => l.length));
      const values = [...r.groups, r].map(
        (g, i) => `  ${labels[i]!.padEnd(width)}  ${withBound(g.value, g.errorBound)}`,
      );
      return `${style.bold(r.metric)} (per class)\n${values.join('\n')}`;
    });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n\n`;
}
