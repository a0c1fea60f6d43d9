import { statSync } from 'node:fs';
import type { ReadOptions } from '@lossflow/arrow';
import { readFile as readBatches } from '@lossflow/arrow/node';
import type { RecordBatch, Schema } from 'apache-arrow';
import { defer, map, Observable, type OperatorFunction, tap } from 'rxjs';
import { lossesInWorkers } from '../threads/lossesInWorkers.js';
import { passColumns } from '../threads/passColumns.js';
import { threadsRefusal, threadsUnavailable } from '../threads/threadsUnavailable.js';
import {
  type LossOperatorPlan,
  type MetricOperatorPlan,
  type PassChunks,
  workerPlanOf,
} from '../threads/workerPlan.js';
import { setBatchOrigin } from './batchOrigin.js';
import { fromBatches } from './fromBatches.js';

/**
 * The record batches of one file, as `fromFile` of `@lossflow/rx/node` opens it by path. With
 * `threads` 0 it is a plain observable of the batches, read in this thread. With `threads` ≥ 1 its
 * own `pipe(first, …rest)` runs `first` (a loss operator or `losses(…)`, which carry their plan)
 * in worker threads that read the file themselves, then `rest` here on the chunks. When the
 * pipeline cannot run in workers, `pipe` throws a `THREADS_UNAVAILABLE` `LossError` saying why,
 * rather than quietly computing in this thread; subscribing to it directly errors the same way.
 * Workers read at offsets, so a pipe or a device (not a regular file) is still read, and its
 * losses computed, in this thread.
 *
 * @example
 * new FileBatches('log.arrows', 4, {}, false).pipe(crossEntropy(), reduce('mean'));
 */
export class FileBatches extends Observable<RecordBatch> {
  constructor(
    readonly path: string,
    readonly threads: number,
    readonly options: ReadOptions,
    readonly inThisThread = false,
    /** Only this part of the file (see `FromFileOptions.part`). */
    readonly part?: { readonly first: number; readonly end: number; readonly seek?: number | undefined },
  ) {
    super((subscriber) => {
      if (threads >= 1) {
        subscriber.error(
          threadsUnavailable(
            'the batches were subscribed to without a loss operator',
            'Threads apply to the loss operator (or losses(…)) piped right after fromFile; pipe one there',
            { file: path },
          ),
        );
        return;
      }
      return this.#readHere().subscribe(subscriber);
    });
  }

  /** The batches, read in this thread, each knowing its file (for loss errors). */
  #readHere(): Observable<RecordBatch> {
    return defer(() => fromBatches(readBatches(this.path, this.options))).pipe(
      tap((b) => setBatchOrigin(b, this.path)),
    );
  }

  override pipe(): Observable<RecordBatch>;
  override pipe<A>(op1: OperatorFunction<RecordBatch, A>): Observable<A>;
  override pipe<A, B>(op1: OperatorFunction<RecordBatch, A>, op2: OperatorFunction<A, B>): Observable<B>;
  override pipe<A, B, C>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
  ): Observable<C>;
  override pipe<A, B, C, D>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
  ): Observable<D>;
  override pipe<A, B, C, D, E>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
  ): Observable<E>;
  override pipe<A, B, C, D, E, F>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
    op6: OperatorFunction<E, F>,
  ): Observable<F>;
  override pipe<A, B, C, D, E, F, G>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
    op6: OperatorFunction<E, F>,
    op7: OperatorFunction<F, G>,
  ): Observable<G>;
  override pipe<A, B, C, D, E, F, G, H>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
    op6: OperatorFunction<E, F>,
    op7: OperatorFunction<F, G>,
    op8: OperatorFunction<G, H>,
  ): Observable<H>;
  override pipe<A, B, C, D, E, F, G, H, I>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
    op6: OperatorFunction<E, F>,
    op7: OperatorFunction<F, G>,
    op8: OperatorFunction<G, H>,
    op9: OperatorFunction<H, I>,
  ): Observable<I>;
  override pipe<A, B, C, D, E, F, G, H, I>(
    op1: OperatorFunction<RecordBatch, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
    op6: OperatorFunction<E, F>,
    op7: OperatorFunction<F, G>,
    op8: OperatorFunction<G, H>,
    op9: OperatorFunction<H, I>,
    // biome-ignore lint/suspicious/noExplicitAny: the signature of rxjs's own Observable.pipe
    ...operations: OperatorFunction<any, any>[]
  ): Observable<unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: the signature of rxjs's own Observable.pipe
  override pipe(...operations: OperatorFunction<any, any>[]): Observable<unknown> {
    const apply = (from: Observable<unknown>, ops: OperatorFunction<unknown, unknown>[]) =>
      ops.reduce((o, op) => op(o), from);
    const [first, ...rest] = operations;
    if (this.threads === 0 || first === undefined) return apply(this, operations);
    const refusal = threadsRefusal(first);
    if (refusal !== undefined) throw refusal.withContext({ file: this.path });
    const plan = workerPlanOf(first)!;
    const { path, threads, inThisThread, options, part } = this;
    const { plans, metrics } = plan;
    const chunks = defer(() =>
      isRegularFile(path) || part !== undefined
        ? lossesInWorkers(path, threads, inThisThread, options, plans, metrics, part)
        : this.#readHere().pipe(passHere(plans, metrics)),
    );
    return apply(plan.finish(chunks), rest);
  }
}

/**
 * Each batch's chunks computed in this thread, in the row ranges the worker pool would cut it into
 * for every column the pass reads (so the same bits as in workers).
 */
function passHere(
  plans: readonly LossOperatorPlan[],
  metrics: readonly MetricOperatorPlan[],
): OperatorFunction<RecordBatch, PassChunks> {
  return (batches) => {
    let rangeSchema: Schema | undefined;
    let rangeColumns: string[] | undefined;
    return batches.pipe(
      map((batch, index) => {
        if (batch.schema !== rangeSchema) {
          rangeSchema = batch.schema;
          rangeColumns = passColumns(batch.schema, plans, metrics);
        }
        return {
          losses: plans.map((p) => p.chunk(batch, index, rangeColumns)),
          metrics: metrics.map((m) => m.chunk(batch, index, rangeColumns)),
        };
      }),
    );
  };
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // Let the reader report a missing file as it always does.
    return true;
  }
}
