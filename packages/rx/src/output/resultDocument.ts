import type { MetricValue } from '@lossflow/core';
import { type OutputKey, outputKey, outputNumber } from './outputNumber.js';

/** One loss's final values, as {@link resultDocument} writes them. */
export interface DocumentLoss {
  /** The CLI's name (`cross-entropy`). */
  readonly loss: string;
  readonly reduction: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** The loss's columns by role, when the run read files. */
  readonly columns?: Readonly<Record<string, string>>;
  readonly value: number;
  readonly rows: number;
  readonly groups?: readonly { readonly key: OutputKey; readonly value: number; readonly rows: number }[];
}

/** One metric's final values, as {@link resultDocument} writes them. */
export interface DocumentMetric {
  /** The kebab-case metric name. */
  readonly metric: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** The metric's columns by role (`input`, `target`), when the run read files. */
  readonly columns?: Readonly<Record<string, string>> | undefined;
  readonly value: MetricValue;
  /** For a metric on a grid (`auroc`): the largest difference to the exact value. */
  readonly errorBound?: MetricValue | undefined;
  readonly rows: number;
  readonly groups?: readonly {
    readonly key: OutputKey;
    readonly value: MetricValue;
    readonly errorBound?: MetricValue | undefined;
    readonly rows: number;
  }[];
}

/** What a finished evaluation found: what `lossflow eval --format json` and the web page write. */
export interface DocumentRun {
  readonly rows: number;
  /** The files and columns read, and the `--by` key names. */
  readonly inputs?: {
    readonly files: readonly { readonly path: string; readonly bytes: number }[];
    readonly columns: readonly string[];
    readonly by?: readonly string[] | undefined;
  };
  readonly results: readonly DocumentLoss[];
  readonly metrics?: readonly DocumentMetric[];
}

/**
 * A metric value for JSON: numbers (per class, per cell) with non-finite ones as words.
 *
 * @example
 * outputMetricValue([0.5, Number.NaN]); // [0.5, 'NaN']
 */
export function outputMetricValue(value: MetricValue): unknown {
  if (typeof value === 'number') return outputNumber(value);
  return (value as (number | number[])[]).map((v) =>
    typeof v === 'number' ? outputNumber(v) : v.map(outputNumber),
  );
}

/**
 * The `metrics` array of the JSON document: `[{ metric, options, columns?, value, errorBound?, rows, groups? }]`
 * (`errorBound` for `auroc`: the exact value lies within value ± errorBound; per group too).
 *
 * @example
 * metricDocument([{ metric: 'accuracy', options: {}, value: 0.75, rows: 4 }]);
 */
export function metricDocument(results: readonly DocumentMetric[]): unknown[] {
  return results.map((r) => ({
    metric: r.metric,
    options: r.options,
    ...(r.columns === undefined ? {} : { columns: r.columns }),
    value: outputMetricValue(r.value),
    ...(r.errorBound === undefined ? {} : { errorBound: outputMetricValue(r.errorBound) }),
    rows: r.rows,
    ...(r.groups === undefined
      ? {}
      : {
          groups: r.groups.map((g) => ({
            key: outputKey(g.key),
            value: outputMetricValue(g.value),
            ...(g.errorBound === undefined ? {} : { errorBound: outputMetricValue(g.errorBound) }),
            rows: g.rows,
          })),
        }),
  }));
}

/**
 * The `lossflow eval --format json` document, which the web page writes too:
 * `{ rows, files?, columns?, by?, results: [{ loss, reduction, options, columns?, value, rows, groups? }], metrics? }`,
 * exactly these fields in this order, numbers as JavaScript prints them (shortest round-trip),
 * non-finite values and keys as the strings `"Infinity"`, `"-Infinity"` and `"NaN"` (a diverged
 * loss, a mean over no rows; see {@link outputNumber}); after an interrupted `--follow`,
 * `incomplete: true` after `rows`. One document, ending in a newline.
 *
 * @example
 * resultDocument({ rows: 4, results: [{ loss: 'mse', reduction: 'mean', options: {}, value: 0.5, rows: 4 }] });
 */
export function resultDocument(run: DocumentRun, incomplete = false): string {
  const doc = {
    rows: run.rows,
    // Only after --follow was interrupted: the values cover the rows read, not the whole stream.
    ...(incomplete ? { incomplete: true } : {}),
    ...(run.inputs === undefined
      ? {}
      : {
          files: run.inputs.files,
          columns: run.inputs.columns,
          ...(run.inputs.by === undefined ? {} : { by: run.inputs.by }),
        }),
    results: run.results.map((r) => ({
      loss: r.loss,
      reduction: r.reduction,
      options: r.options,
      ...(r.columns === undefined ? {} : { columns: r.columns }),
      value: outputNumber(r.value),
      rows: r.rows,
      ...(r.groups === undefined
        ? {}
        : {
            groups: r.groups.map((g) => ({
              key: outputKey(g.key),
              value: outputNumber(g.value),
              rows: g.rows,
            })),
          }),
    })),
    ...(run.metrics === undefined ? {} : { metrics: metricDocument(run.metrics) }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
