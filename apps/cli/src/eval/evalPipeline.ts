import type { StateReduction } from '@lossflow/core';
import {
  type GroupBudget,
  type GroupKey,
  type GroupValue,
  type LossChunk,
  type MetricChunk,
  perRowBatches,
  reduce,
  reduceGroups,
  threadsRefusal,
} from '@lossflow/rx';
import type { RecordBatch } from 'apache-arrow';
import {
  concatMap,
  endWith,
  reduce as fold,
  forkJoin,
  ignoreElements,
  map,
  type Observable,
  type OperatorFunction,
  of,
  share,
  tap,
  toArray,
} from 'rxjs';
import type { EvalPlan, LossSelection } from '../args/evalArgs.js';
import { groupBatchCounts } from '../chunks/groupBatchCounts.js';
import { coreOptionsOf, lossOperatorOf } from '../losses/lossOperators.js';
import { type MetricResult, metricOperators, metricResults } from '../metrics/metricResults.js';
import type { DisplayGroup } from './displayKey.js';
import { groupBudget } from './groupBudget.js';
import type { EvalSource } from './LogFiles.js';
import { type RunningSnapshot, runningSnapshots } from './runningSnapshots.js';

/** The final value of one `--loss`, as the JSON output reports it. */
export interface LossResult {
  /** The kebab-case loss name. */
  readonly loss: string;
  readonly reduction: StateReduction;
  readonly options: Readonly<Record<string, unknown>>;
  readonly value: number;
  /** Rows that entered the loss. */
  readonly rows: number;
  /** With `--by`: one value per key, in the order keys first appeared. */
  readonly groups?: readonly DisplayGroup[];
  /** The column read for each role (`{ input: 'logits', target: 'target' }`), once known. */
  readonly columns?: Readonly<Record<string, string>>;
}

/** What a run read: the files and the columns, for the JSON output and the report. */
export interface RunInputs {
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  /** Every column read, in the first file's order. */
  readonly columns: readonly string[];
  /** The `--by` names (columns of the data, Hive partition keys or `file`), when grouped. */
  readonly by?: readonly string[];
}

/** Everything one pass over the files produced. */
export interface EvalRun {
  /** Rows read. */
  readonly rows: number;
  readonly batches: number;
  readonly bytes: number;
  readonly results: readonly LossResult[];
  /** The `--metric` results, when any was asked for. */
  readonly metrics?: readonly MetricResult[];
  /** The files and columns read (set by the command once the run is done). */
  readonly inputs?: RunInputs;
}

/** What the caller wants to see while the pass runs. */
export interface EvalHooks {
  /** A column whose values the chunks carry at each batch's and group's last row (the report's x axis). */
  step?: string;
  /** After each batch is read. */
  onBatch?(): void;
  /** After each batch, per loss (only when given): running values for `--every` and the report. */
  onRunning?(loss: number, snapshot: RunningSnapshot): void;
  /** After each batch, per metric (only when given): its chunk, for `--every`'s running metric values. */
  onMetricChunk?(metric: number, chunk: MetricChunk): void;
  /** Every chunk of each loss, in order (the `--by` group count's warning). */
  onChunk?(loss: number, chunk: LossChunk): void;
  /** A `--by` key as the outputs show it, for the error past the group budget. */
  describeKey?(key: GroupKey): string;
  /** Receives the per-row loss batches of the (single) loss when `plan.perRow` is set. */
  perRow?: { write(batch: RecordBatch): Promise<void> | void };
}

/**
 * The one place an eval pass is built: the files are read once, as one stream of batches shared
 * by every loss; each loss keeps mergeable states from which the final, grouped and running values
 * come. Emits one {@link EvalRun} on success; errors (reading or computing) reach `error`, and then
 * nothing is emitted.
 */
export function evalPipeline(plan: EvalPlan, source: EvalSource, hooks: EvalHooks = {}): Observable<EvalRun> {
  // Every group's state is kept to the end: past the budget the pass fails, naming the key, at
  // the first chunk that brings one too many (in this thread, from workers or a distributed run),
  // or, for a batch alone with too many keys, as the batch builds the state past it.
  const budget = plan.by === undefined ? undefined : groupBudget(plan, hooks.describeKey);
  const operators = evalOperators(plan, {
    perRow: plan.perRow !== undefined && hooks.perRow !== undefined,
    step: hooks.step,
    groupBudget: budget,
  });
  const metrics = plan.metrics ?? [];
  const metricOps = metricOperators(metrics, { by: plan.by, nulls: plan.nulls, groupBudget: budget });
  // Worker threads compute every loss and metric of a batch at once (one read); per-row output
  // needs each batch's key columns, and a function as an option (--distance) cannot be sent to a
  // worker, so those read in this thread (asking rx for threads there would be its
  // THREADS_UNAVAILABLE error).
  const threaded =
    source.threads >= 1 &&
    !source.inThisThreadOnly &&
    plan.perRow === undefined &&
    operators.length + metricOps.length > 0 &&
    [...operators, ...metricOps].every((op) => threadsRefusal(op) === undefined);
  const perBatch$ = threaded
    ? source.passChunks(operators, metricOps).pipe(
        tap(() => hooks.onBatch?.()),
        share(),
      )
    : undefined;
  const batches$ = source.batches().pipe(
    tap(() => hooks.onBatch?.()),
    share(),
  );
  const perLoss = plan.losses.map((selection, index) => {
    const chunks$ = (
      perBatch$ === undefined
        ? batches$.pipe(operators[index]!)
        : perBatch$.pipe(map((chunks) => chunks.losses[index]!))
    ).pipe(
      tap((chunk) => budget?.addLoss(index, chunk)),
      share(),
    );
    const r = selection.reduction;
    const value$ = chunks$.pipe(reduce(r));
    const rows$ = chunks$.pipe(fold((n, chunk) => n + chunk.rows, 0));
    const groups$ =
      plan.by === undefined
        ? of(undefined)
        : forkJoin([
            chunks$.pipe(reduceGroups(r), toArray()),
            chunks$.pipe(groupBatchCounts<LossChunk>()),
          ]).pipe(
            map(([groups, batches]) => groups.map((g) => ({ ...g, batches: batches.get(g.key) ?? 0 }))),
          );
    const onRunning = hooks.onRunning;
    const running$ =
      onRunning === undefined
        ? of(null)
        : chunks$.pipe(
            runningSnapshots(r, plan.by !== undefined),
            tap((s) => onRunning(index, s)),
            ignoreElements(),
            endWith(null),
          );
    const onChunk = hooks.onChunk;
    const watch$ =
      onChunk === undefined
        ? of(null)
        : chunks$.pipe(
            tap((chunk) => onChunk(index, chunk)),
            ignoreElements(),
            endWith(null),
          );
    const writer = hooks.perRow;
    const perRow$ =
      writer === undefined || plan.perRow === undefined
        ? of(null)
        : chunks$.pipe(
            perRowBatches(plan.keys),
            concatMap(async (batch) => writer.write(batch)),
            ignoreElements(),
            endWith(null),
          );
    return forkJoin([value$, rows$, groups$, running$, perRow$, watch$]).pipe(
      map(([value, rows, groups]) => resultOf(selection, value, rows, groups)),
    );
  });
  const metrics$ = metricResults(
    (index) =>
      (perBatch$ === undefined
        ? batches$.pipe(metricOps[index]!)
        : perBatch$.pipe(map((chunks) => chunks.metrics[index]!))
      ).pipe(tap((chunk) => budget?.addMetric(index, chunk))),
    metrics,
    plan.by,
    hooks.onMetricChunk,
  );
  // forkJoin([]) completes without emitting: a metrics-only pass still has a (lossless) result.
  const losses$ = perLoss.length === 0 ? of([]) : forkJoin(perLoss);
  return forkJoin([losses$, metrics$]).pipe(
    map(([results, metricValues]) => {
      const p = source.progress();
      // With --limit the files are not read to the end, so only the bytes actually read count; a
      // pipe's size is only known once read.
      const bytes = plan.limit === undefined && !source.sizesUnknown ? source.totalBytes : p.bytesRead;
      return {
        rows: p.rows,
        batches: p.batches,
        bytes,
        results,
        ...(metrics.length === 0 ? {} : { metrics: metricValues }),
      };
    }),
  );
}

/**
 * The loss operators of a plan, one per `--loss`, as an eval pass runs them (distributed workers
 * build the same ones, so their chunks are the local ones).
 */
export function evalOperators(
  plan: EvalPlan,
  options: { perRow: boolean; step: string | undefined; groupBudget?: GroupBudget | undefined },
): OperatorFunction<RecordBatch, LossChunk>[] {
  return plan.losses.map((selection) =>
    lossOperatorOf(selection.entry)({
      ...coreOptionsOf(selection.entry, selection.options),
      ...selection.columns,
      ...(plan.by === undefined ? {} : { by: plan.by }),
      perRow: options.perRow,
      nulls: plan.nulls,
      ...(options.step === undefined ? {} : { step: options.step }),
      ...(plan.by === undefined || options.groupBudget === undefined
        ? {}
        : { groupBudget: options.groupBudget }),
    }),
  );
}

function resultOf(
  selection: LossSelection,
  value: number,
  rows: number,
  groups: (GroupValue & { readonly batches: number })[] | undefined,
): LossResult {
  const base = {
    loss: selection.entry.name,
    reduction: selection.reduction,
    options: selection.options,
    value,
    rows,
  };
  return groups === undefined ? base : { ...base, groups };
}
