import type { MetricValue } from '@lossflow/core';
import { type NonFiniteWord, outputKey, outputMetricValue, outputNumber } from '@lossflow/rx';
import type { DisplayKey } from '../eval/displayKey.js';
import type { MetricResult } from '../metrics/metricResults.js';
import { optionsField } from './recordLabels.js';

/** A metric value in a CSV / NDJSON record: a number (non-finite as a word), else its JSON text. */
export function metricRecordValue(v: MetricValue): number | NonFiniteWord | string {
  return typeof v === 'number' ? outputNumber(v) : JSON.stringify(outputMetricValue(v));
}

/** One CSV / NDJSON line of a metric, in the fields of the losses' `ResultRecord`. */
export interface MetricRecord {
  readonly kind: 'group' | 'total' | 'partial-group' | 'partial-total';
  readonly loss: string;
  readonly reduction: 'metric';
  /** As in `ResultRecord`: set in a run that names a metric twice. */
  readonly options?: string;
  readonly key: DisplayKey | null;
  readonly value: number | NonFiniteWord | string;
  /** `auroc`'s error bound, written as `value` is (see `ResultRecord`). */
  readonly errorBound?: number | NonFiniteWord | string;
  readonly rows: number;
  readonly batches: number;
}

/**
 * The CSV / NDJSON records of the metrics, in the losses' columns: `loss` holds the metric's name,
 * `reduction` is `metric`, and a value that is not one number (per class, a matrix) is its JSON text.
 * A group's `batches` are the batches that held its rows, the total's all the run's `batches`; after
 * an interrupted `--follow` (`incomplete`) the kinds are `partial-group` / `partial-total`, as the
 * losses' are, so no reader takes them for the values of the whole stream. `labels`: each metric's
 * `options` field (see `recordLabels`).
 */
export function metricRecords(
  results: readonly MetricResult[],
  batches: number,
  incomplete = false,
  labels?: readonly string[],
): MetricRecord[] {
  const group = incomplete ? 'partial-group' : 'group';
  const total = incomplete ? 'partial-total' : 'total';
  const out: MetricRecord[] = [];
  const value = metricRecordValue;
  for (const [i, r] of results.entries()) {
    const base = { loss: r.metric, reduction: 'metric' as const, ...optionsField(labels?.[i]) };
    for (const g of r.groups ?? [])
      out.push({
        kind: group,
        ...base,
        key: outputKey(g.key),
        value: value(g.value),
        ...boundField(g.errorBound),
        rows: g.rows,
        batches: g.batches,
      });
    out.push({
      kind: total,
      ...base,
      key: null,
      value: value(r.value),
      ...boundField(r.errorBound),
      rows: r.rows,
      batches,
    });
  }
  return out;
}

/**
 * The `errorBound` field of a record, placed after `value` as in the JSON; none for a metric
 * without a bound.
 */
export function boundField(bound: MetricValue | undefined): { errorBound?: number | NonFiniteWord | string } {
  return bound === undefined ? {} : { errorBound: metricRecordValue(bound) };
}

/**
 * Whether a metric's results carry an error bound (`auroc`, the metric on a threshold grid; see
 * core's `metricErrorBound`): the CSV of a run with one gets an `errorBound` column.
 */
export function hasErrorBound(metric: string): boolean {
  return metric === 'auroc';
}

/** A number of a per-class list in a table: 4 significant digits, NaN and ±Infinity as words (never JSON's `null`). */
function listNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

/** A metric value in a table cell: 4 significant digits, per-class lists in brackets. */
export function metricCell(value: MetricValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value.toPrecision(4) : String(value);
  const list = (row: readonly number[]) => `[${row.map(listNumber).join(',')}]`;
  return Array.isArray(value[0]) ? `[${(value as number[][]).map(list).join(',')}]` : list(value as number[]);
}

/**
 * A printed value and its error bound, `0.7823 ± 0.000041`: the bound grows by the printed value's
 * own rounding, so the exact value lies within the printed value ± the printed bound (a bound of
 * 0.00002 beside a value rounded to 4 decimals did not hold). `text` alone without a bound.
 */
export function boundedCell(
  text: string,
  value: MetricValue | undefined,
  bound: number | readonly number[] | undefined,
): string {
  if (bound === undefined || text === '' || value === undefined) return text;
  const rounding = (v: number, shown: string) => {
    const r = Math.abs(v - Number(shown));
    return Number.isFinite(r) ? r : 0;
  };
  if (typeof bound === 'number')
    return `${text} ${errorBoundText(typeof value === 'number' ? bound + rounding(value, text) : bound)}`;
  const list = Array.isArray(value) && !Array.isArray(value[0]) ? (value as readonly number[]) : undefined;
  const grown =
    list === undefined ? bound : bound.map((b, k) => b + rounding(list[k]!, listNumber(list[k]!)));
  return `${text} ${errorBoundText(grown)}`;
}

/**
 * An error bound as the table and the report print it after the value: `± 0.0017` (2 significant
 * digits, rounded up so the printed bound still holds), per class in brackets; `''` for none.
 */
export function errorBoundText(bound: number | readonly number[] | undefined): string {
  if (bound === undefined) return '';
  const up = (v: number) => {
    if (!Number.isFinite(v)) return String(v);
    if (v === 0) return '0';
    const digits = 10 ** (Math.floor(Math.log10(v)) - 1);
    return String(Number((Math.ceil(v / digits - 1e-9) * digits).toPrecision(2)));
  };
  return typeof bound === 'number' ? `± ${up(bound)}` : `± [${bound.map(up).join(',')}]`;
}
