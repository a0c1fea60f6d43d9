import type { RecordBatch, Schema } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import type { MetricChunk } from '../chunks/MetricChunk.js';
import type { BatchGroupLimits } from '../reduce/GroupBudget.js';
import type { LossOperatorSpec } from '../specs/LossOperatorSpec.js';

/** What a loss operator does, carried by it (its `WORKER_PLAN`) so a source that computes batches elsewhere can run it. */
export interface LossOperatorPlan<O = unknown> {
  readonly spec: LossOperatorSpec<O>;
  readonly options: O;
  readonly by: string | undefined;
  readonly perRow: boolean;
  readonly nulls: 'error' | 'skip';
  /** With `by` and a `groupBudget`: its bounds, charged as each batch's group states are built. */
  readonly groupLimits?: BatchGroupLimits | undefined;
  /** The loss's columns (by role, the grouping and step columns under their keys) in a batch of this schema. */
  columns(schema: Schema): Record<string, string>;
  /**
   * The chunk of one batch, computed in this thread, in the row ranges the worker pool would cut it
   * into for `rangeColumns` (every column the pipeline reads, as `losses(…)` passes them; the
   * loss's own by default), so it gets the same bits as worker threads.
   */
  chunk(batch: RecordBatch, index: number, rangeColumns?: readonly string[]): LossChunk;
}

/** What a metric operator does, carried by it (its `WORKER_PLAN`) so a source that computes batches elsewhere can run it. */
export interface MetricOperatorPlan {
  /** The `@lossflow/core` metric (a key of `METRICS`): a worker finds it by this name. */
  readonly metric: string;
  /** The metric's own options, as plain data a worker receives by structured clone. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly by: string | undefined;
  readonly nulls: 'error' | 'skip';
  /** With `by` and a `groupBudget`: its bounds, charged as each batch's group states are built. */
  readonly groupLimits?: BatchGroupLimits | undefined;
  /** The metric's columns (by role, the grouping column under its key) in a batch of this schema. */
  columns(schema: Schema): Record<string, string>;
  /**
   * The chunk of one batch, computed in this thread in the row ranges the worker pool would cut it
   * into for `rangeColumns` (every column the pass reads; the metric's own by default), so it gets
   * the same bits as worker threads.
   */
  chunk(batch: RecordBatch, index: number, rangeColumns?: readonly string[]): MetricChunk;
}

/** The chunks of one batch of a pass: each loss's and each metric's, in the order of the plan. */
export interface PassChunks {
  readonly losses: LossChunk[];
  readonly metrics: MetricChunk[];
}

/**
 * The key under which a loss operator (and `losses(…)`) carries its {@link WorkerPlan}: a source
 * that computes batches in worker threads (`fromFile(path, { threads })`) reads it from the
 * operator piped right after it. A symbol, so no options object or user function can fake it.
 */
export const WORKER_PLAN: unique symbol = Symbol('lossflow.workerPlan');

/**
 * How an operator's work runs elsewhere: the losses and metrics the workers compute for each batch
 * (their chunks, in this order), and what turns each batch's chunks into the operator's output.
 */
export interface WorkerPlan<T> {
  /**
   * A loss operator (one loss, chunks out), `losses(…)` (several, arrays of chunks out), a metric
   * operator (one metric, metric chunks out) or `lossesAndMetrics(…)` (both, `PassChunks` out).
   */
  readonly kind: 'loss' | 'losses' | 'metric' | 'pass';
  readonly plans: readonly LossOperatorPlan[];
  readonly metrics: readonly MetricOperatorPlan[];
  readonly finish: OperatorFunction<PassChunks, T>;
}

/** An RxJS operator over record batches that says how its losses and metrics can run in worker threads. */
export type ThreadableOperator<T> = OperatorFunction<RecordBatch, T> & {
  readonly [WORKER_PLAN]: WorkerPlan<T>;
};

/**
 * The worker plan an operator carries, or `undefined` for any operator that is not a loss or
 * metric operator, `losses(…)` or `lossesAndMetrics(…)` (`share()`, `take()`, `map(…)`…).
 */
export function workerPlanOf(operator: unknown): WorkerPlan<unknown> | undefined {
  if (typeof operator !== 'function') return undefined;
  return (operator as Partial<ThreadableOperator<unknown>>)[WORKER_PLAN];
}

/**
 * Attaches a worker plan to an operator.
 *
 * @example
 * const op = threadable((source) => source.pipe(map(chunk)), { kind: 'loss', plans: [plan], metrics: [], finish: map((c) => c.losses[0]!) });
 */
export function threadable<T>(
  operator: OperatorFunction<RecordBatch, T>,
  plan: WorkerPlan<T>,
): ThreadableOperator<T> {
  return Object.defineProperty(operator, WORKER_PLAN, {
    value: plan,
    enumerable: false,
  }) as ThreadableOperator<T>;
}
