import type { MetricName, MetricValue } from '@lossflow/core';
import type { GroupBudget, GroupKey } from '@lossflow/rx';
import { type MetricChunk, type MetricGroupValue, metricOperator, reduceMetricGroups } from '@lossflow/rx';
import type { RecordBatch } from 'apache-arrow';
import {
  reduce as fold,
  forkJoin,
  map,
  type Observable,
  type OperatorFunction,
  of,
  share,
  tap,
  toArray,
} from 'rxjs';
import { groupBatchCounts } from '../chunks/groupBatchCounts.js';
import type { MetricSelection } from './MetricSelection.js';
import { reduceMetricTotal } from './reduceMetricTotal.js';

/** The final value of one `--metric`, as the outputs report it. */
export interface MetricResult {
  /** The kebab-case metric name. */
  readonly metric: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** The columns it read (`{ input: 'logits', target: 'target' }`), given or auto-detected. */
  readonly columns?: Readonly<Record<string, string>>;
  /** A number, one number per class (`--average none`), or a matrix (`confusion-matrix`). */
  readonly value: MetricValue;
  /** `auroc`: the largest difference to the exact value (per class with `--average none`). */
  readonly errorBound?: number | number[];
  /** Rows that entered the metric. */
  readonly rows: number;
  /** With `--by`: one value per key, in the order keys first appeared. */
  readonly groups?: readonly {
    /** A `--by` value; with several keys one per name (the eval's `DisplayKey`). */
    readonly key: GroupKey | { readonly [name: string]: GroupKey };
    readonly value: MetricValue;
    readonly errorBound?: number | number[];
    readonly rows: number;
    /** Batches that held rows of the group. */
    readonly batches: number;
  }[];
}

/**
 * The metric operator of each `--metric`, in the order given, with the pass's `--by` and `--nulls`
 * (and its group budget, which each batch's group states are charged to as they are built).
 */
export function metricOperators(
  metrics: readonly MetricSelection[],
  stream: { by: string | undefined; nulls: 'error' | 'skip'; groupBudget?: GroupBudget | undefined },
): OperatorFunction<RecordBatch, MetricChunk>[] {
  return metrics.map((selection) =>
    metricOperator(selection.entry.name as MetricName, {
      ...selection.options,
      ...selection.columns,
      ...(stream.by === undefined ? {} : { by: stream.by }),
      ...(stream.by === undefined || stream.groupBudget === undefined
        ? {}
        : { groupBudget: stream.groupBudget }),
      nulls: stream.nulls,
    }),
  );
}

/**
 * Every `--metric` from its chunks (`chunksOf(i)`: the i-th metric's, computed in the same pass
 * as the losses, in worker threads or here): each metric's mergeable states reduced to its final
 * (and per-group) value; `onChunk` sees each chunk first (the running values of `--every`). Emits the results once, in the order given, when the chunks complete.
 */
export function metricResults(
  chunksOf: (index: number) => Observable<MetricChunk>,
  metrics: readonly MetricSelection[],
  by: string | undefined,
  onChunk?: (index: number, chunk: MetricChunk) => void,
): Observable<MetricResult[]> {
  if (metrics.length === 0) return of([]);
  return forkJoin(
    metrics.map((selection, index) => {
      const chunks$ = chunksOf(index).pipe(
        tap((chunk) => onChunk?.(index, chunk)),
        share(),
      );
      const groups$: Observable<(MetricGroupValue & { readonly batches: number })[] | undefined> =
        by === undefined
          ? of(undefined)
          : forkJoin([
              chunks$.pipe(reduceMetricGroups(), toArray()),
              chunks$.pipe(groupBatchCounts<MetricChunk>()),
            ]).pipe(
              map(([groups, batches]) => groups.map((g) => ({ ...g, batches: batches.get(g.key) ?? 0 }))),
            );
      return forkJoin([
        chunks$.pipe(reduceMetricTotal()),
        chunks$.pipe(fold((n: number, c: MetricChunk) => n + c.rows, 0)),
        groups$,
      ]).pipe(
        map(([total, rows, groups]) => ({
          metric: selection.entry.cliName,
          options: selection.options,
          ...total,
          rows,
          ...(groups === undefined ? {} : { groups }),
        })),
      );
    }),
  );
}
