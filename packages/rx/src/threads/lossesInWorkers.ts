import { ArrowReadError, type ReadOptions } from '@lossflow/arrow';
import { mapBatchesInWorkers } from '@lossflow/arrow/node';
import { getKernelBackend, LossError } from '@lossflow/core';
import { compiledKernels } from '@lossflow/core/kernels';
import type { Schema } from 'apache-arrow';
import { Observable } from 'rxjs';
import { registerLossErrorCodec } from './lossErrorCodec.js';
import type { LossTaskData, WorkerPass } from './lossTask.js';
import { lossTaskUrl } from './lossTaskUrl.js';
import { mergeWorkerLosses } from './mergeWorkerLosses.js';
import { mergeWorkerMetrics } from './mergeWorkerMetrics.js';
import type { LossOperatorPlan, MetricOperatorPlan, PassChunks } from './workerPlan.js';

// The pool's side of the LossError codec the worker task registers (lossTask.ts).
registerLossErrorCodec();

/**
 * The chunks of several losses and metrics per batch of the regular file `path` (each batch read
 * once for all of them), computed in worker threads
 * (and this one with `inThisThread`): each worker reads its batches itself, at offsets through the
 * descriptor the pool opened, straight into WebAssembly memory; the chunks come in batch order, so
 * reductions give the same bits for any thread count. Unsubscribing ends the workers. The plans
 * must run in workers (see `workerRefusal`).
 *
 * @example
 * lossesInWorkers('log.arrows', 4, false, {}, plans, []).pipe(map((chunks) => chunks.losses[0]!));
 */
export function lossesInWorkers(
  path: string,
  threads: number,
  inThisThread: boolean,
  options: ReadOptions,
  plans: readonly LossOperatorPlan[],
  metrics: readonly MetricOperatorPlan[] = [],
  part?: { readonly first: number; readonly end: number; readonly seek?: number | undefined },
): Observable<PassChunks> {
  return new Observable<PassChunks>((subscriber) => {
    /**
     * Why the losses cannot read this file's schema (a missing column…). This thread resolves the
     * columns at the first batch, so a file without batches gives an empty result there, and its
     * first batch the error, naming batch 0: so do the workers, which then read no column.
     */
    let columnError: { error: unknown } | undefined;
    const reader = mapBatchesInWorkers<WorkerPass>(
      path,
      (schema) => {
        const resolve = (p: { columns(schema: Schema): Record<string, string> }) => {
          try {
            return p.columns(schema);
          } catch (e) {
            throw e instanceof LossError || e instanceof ArrowReadError ? e.withContext({ batch: 0 }) : e;
          }
        };
        let columns: Record<string, string>[];
        let metricColumns: Record<string, string>[];
        try {
          columns = plans.map(resolve);
          metricColumns = metrics.map(resolve);
        } catch (error) {
          columnError = { error };
          const none: LossTaskData = { kernels: getKernelBackend(), losses: [], metrics: [] };
          return { columns: [], task: { module: lossTaskUrl(), data: none } };
        }
        const kernels = getKernelBackend();
        const compiled = compiledKernels();
        const data: LossTaskData = {
          kernels,
          // The module this thread compiled: each worker instantiates it instead of compiling its own.
          ...(compiled === undefined ? {} : { compiled }),
          losses: plans.map((p, i) => ({
            name: p.spec.name,
            options: p.options,
            by: p.by,
            nulls: p.nulls,
            columns: columns[i]!,
            groupLimits: p.groupLimits,
          })),
          metrics: metrics.map((m, i) => ({
            metric: m.metric,
            options: m.options,
            by: m.by,
            nulls: m.nulls,
            columns: metricColumns[i]!,
            groupLimits: m.groupLimits,
          })),
        };
        return {
          columns: [...columns, ...metricColumns].flatMap((c) => Object.values(c)),
          task: { module: lossTaskUrl(), data },
          // A big batch's row ranges, computed by every worker, become the batch's chunks again.
          merge: (parts: WorkerPass[]) => ({
            losses: mergeWorkerLosses(parts.map((p) => p.losses)),
            metrics: mergeWorkerMetrics(parts.map((p) => p.metrics)),
          }),
        };
      },
      {
        threads,
        inThisThread,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        // The columns option restricts what the losses see, as it does in this thread.
        ...(options.columns === undefined ? {} : { columns: options.columns }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(part === undefined ? {} : { part }),
        ...(options.allowMissingEndOfStream === undefined
          ? {}
          : { allowMissingEndOfStream: options.allowMissingEndOfStream }),
      },
    );
    (async () => {
      try {
        for await (const { index, value } of reader) {
          if (subscriber.closed) break;
          if (columnError !== undefined) throw columnError.error;
          subscriber.next({
            losses: value.losses.map((part, i) => ({
              loss: plans[i]!.spec.name,
              batch: index,
              ...part,
              perRow: undefined,
              source: undefined,
              file: path,
            })),
            metrics: value.metrics.map((part, i) => ({
              metric: metrics[i]!.metric,
              batch: index,
              ...part,
              file: path,
            })),
          });
        }
        subscriber.complete();
      } catch (e) {
        // A worker's loss error (or a missing column) names the file, as the in-thread path's does.
        const unnamed = (e instanceof LossError || e instanceof ArrowReadError) && e.file === undefined;
        subscriber.error(unnamed ? e.withContext({ file: path }) : e);
      }
    })();
    return () => {
      void reader.close();
    };
  });
}
