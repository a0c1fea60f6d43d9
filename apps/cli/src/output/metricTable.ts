import type { MetricValue } from '@lossflow/core';
import { type DisplayKey, keyLabel } from '../eval/displayKey.js';
import type { MetricResult } from '../metrics/metricResults.js';
import type { Style } from './ansi.js';
import { lossColumnFormat } from './lossColumnFormat.js';
import { metricCell } from './metricOutput.js';

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
  const byKey = shown.map((r) => new Map((r.groups ?? []).map((g) => [keyLabel(g.key), g.value])));
  // One number of decimals per column, as the loss columns: 0.7120 over 1.0000, never 1.000.
  const formats = shown.map((r) =>
    lossColumnFormat([r.value as number, ...(r.groups ?? []).map((g) => g.value as number)], METRIC_DIGITS),
  );
  const cell = (i: number, v: MetricValue | undefined): string =>
    typeof v === 'number' ? formats[i]!(v) : metricCell(v);
  return {
    headers: shown.map((r) => r.metric),
    group: (key) => byKey.map((m, i) => cell(i, m.get(keyLabel(key)))),
    total: shown.map((r, i) => cell(i, r.value)),
  };
}

/** The metrics that are not one number (per class, a confusion matrix), one per line (with a trailing newline). */
export function metricTableLines(results: readonly MetricResult[], style: Style): string {
  const lines = results
    .filter((r) => !scalar(r))
    .map((r) => {
      if (Array.isArray(r.value) && Array.isArray(r.value[0])) {
        const rows = (r.value as number[][]).map(
          (row) => `  ${row.map((v) => String(v).padStart(6)).join(' ')}`,
        );
        return `${style.bold(r.metric)} (rows: true class, columns: predicted)\n${rows.join('\n')}`;
      }
      return `${style.bold(r.metric)} ${metricCell(r.value)}`;
    });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n\n`;
}
