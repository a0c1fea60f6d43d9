import { type NonFiniteWord, outputKey, outputNumber } from '@lossflow/rx';
import { type DisplayKey, keyLabel } from '../eval/displayKey.js';
import type { EvalRun } from '../eval/evalPipeline.js';
import { metricRecords } from './metricOutput.js';
import { optionsField, type RecordLabels } from './recordLabels.js';

/**
 * One line of `--format csv` / `ndjson`: a running value (`--every`), a group's final value, or a
 * loss's final value over all rows (`key` null).
 */
export interface ResultRecord {
  readonly kind: 'running' | 'group' | 'total' | 'partial-group' | 'partial-total';
  /** The loss, or with `reduction` `metric` the metric. */
  readonly loss: string;
  readonly reduction: string;
  /**
   * In a run that names a loss or metric twice: its options and given columns (see
   * `recordLabels`), which tell those records apart; absent otherwise.
   */
  readonly options?: string;
  /** A non-finite numeric key as a word (see `outputKey`). */
  readonly key: DisplayKey | null;
  /**
   * A non-finite value as `Infinity`, `-Infinity` or `NaN` (a mean over no rows; see `outputNumber`);
   * a metric's per-class values or matrix as JSON text.
   */
  readonly value: number | NonFiniteWord | string;
  /**
   * A metric on a grid (`auroc`): the largest difference between `value` and the exact value, as in
   * the JSON (per class as JSON text, like `value`); absent for losses and exact metrics.
   */
  readonly errorBound?: number | NonFiniteWord | string;
  readonly rows: number;
  /**
   * Batches read when the value was taken; for a final group value (`group`, `partial-group`) the
   * batches that held rows of that group.
   */
  readonly batches: number;
}

/**
 * Column order of the CSV output (`options` after `reduction` only in a run with
 * {@link CsvLayout}'s `withOptions`, `errorBound` after `value` only with its `withErrorBound`).
 */
export const RECORD_FIELDS = ['kind', 'loss', 'reduction', 'key', 'value', 'rows', 'batches'] as const;

/**
 * The final records of a run: each loss's groups in key order, then its total, then the metrics' alike; after an interrupted
 * `--follow` (`incomplete`) of kinds `partial-group` and `partial-total`, so no reader takes them
 * for the values of the whole stream.
 */
export function finalRecords(run: EvalRun, incomplete = false, labels?: RecordLabels): ResultRecord[] {
  const group = incomplete ? 'partial-group' : 'group';
  const total = incomplete ? 'partial-total' : 'total';
  const out: ResultRecord[] = [];
  for (const [i, r] of run.results.entries()) {
    const base = {
      loss: r.loss,
      reduction: r.reduction,
      ...optionsField(labels?.losses[i]),
      batches: run.batches,
    };
    for (const g of r.groups ?? [])
      out.push({
        kind: group,
        ...base,
        key: outputKey(g.key),
        value: outputNumber(g.value),
        rows: g.rows,
        batches: g.batches ?? run.batches,
      });
    out.push({ kind: total, ...base, key: null, value: outputNumber(r.value), rows: r.rows });
  }
  if (run.metrics !== undefined)
    out.push(...metricRecords(run.metrics, run.batches, incomplete, labels?.metrics));
  return out;
}

/** A record as one NDJSON line. */
export function ndjsonLine(record: ResultRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * How a run's CSV lays its columns out. `keyNames`: with several `--by` keys (`run,epoch`), the
 * `key` column is one column per key, named after it (`key_NAME` for a name that is already a
 * column of the CSV, or another key's header), so each key can be read and sorted on its own, as in the table and the JSON.
 * `withOptions`: an `options` column after `reduction` (a run that names a loss or metric twice, see
 * `recordLabels`). `withErrorBound`: an `errorBound` column after `value` (a run with a metric on a
 * grid, `auroc`; empty on the other lines). The CSV of every other run keeps its columns.
 */
export interface CsvLayout {
  readonly keyNames?: readonly string[];
  readonly withOptions?: boolean;
  readonly withErrorBound?: boolean;
}

/** The CSV header line of a run laid out as `layout`. */
export function csvHeader(layout: CsvLayout = {}): string {
  return `${csvColumns(layout)
    .map((c) => csvCell(c.name))
    .join(',')}\n`;
}

/** A record as one CSV line (RFC 4180 quoting for keys that need it), laid out as for {@link csvHeader}. */
export function csvLine(record: ResultRecord, layout: CsvLayout = {}): string {
  return `${csvColumns(layout)
    .map((c) => csvCell(c.cell(record)))
    .join(',')}\n`;
}

interface CsvColumn {
  readonly name: string;
  cell(record: ResultRecord): DisplayKey | null;
}

function csvColumns({ keyNames = [], withOptions = false, withErrorBound = false }: CsvLayout): CsvColumn[] {
  const several = keyNames.length > 1;
  const taken = new Set<string>([
    ...RECORD_FIELDS,
    ...(withOptions ? ['options'] : []),
    ...(withErrorBound ? ['errorBound'] : []),
  ]);
  // Every header unique: `--by options,key_options` names its columns key_options and key_key_options.
  const headerOf = (name: string): string => {
    let header = name;
    while (taken.has(header)) header = `key_${header}`;
    taken.add(header);
    return header;
  };
  return RECORD_FIELDS.flatMap((field): CsvColumn[] =>
    field === 'key' && several
      ? keyNames.map((name) => ({
          name: headerOf(name),
          cell: (r) => (r.key === null ? null : typeof r.key === 'object' ? (r.key[name] ?? null) : r.key),
        }))
      : field === 'reduction' && withOptions
        ? [
            { name: field, cell: (r) => r[field] },
            { name: 'options', cell: (r) => r.options ?? null },
          ]
        : field === 'value' && withErrorBound
          ? [
              { name: field, cell: (r) => r[field] },
              { name: 'errorBound', cell: (r) => r.errorBound ?? null },
            ]
          : [{ name: field, cell: (r) => r[field] }],
  );
}

function csvCell(value: DisplayKey | null): string {
  if (value === null) return '';
  const text = keyLabel(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
