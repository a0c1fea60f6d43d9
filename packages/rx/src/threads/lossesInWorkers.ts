import { ArrowReadError, type ReadOptions } from '@lossflow/arrow';
import { mapBatchesInWorkers } from '@lossflow/arrow/node';
import { getKernelBackend, LossError } from '@lossflow/core';
import { Observable } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { registerLossErrorCodec } from './lossErrorCodec.js';
import type { LossTaskData, WorkerLoss } from './lossTask.js';
import { lossTaskUrl } from './lossTaskUrl.js';
import { mergeWorkerLosses } from './mergeWorkerLosses.js';
import type { LossOperatorPlan } from './workerPlan.js';

// The pool's side of the LossError codec the worker task registers (lossTask.ts).
registerLossErrorCodec();

/**
 * The chunks of several losses per batch of the regular file `path`, computed in worker threads
 * (and this one with `inThisThread`): each worker reads its batches itself, at offsets through the
 * descriptor the pool opened, straight into WebAssembly memory; the chunks come in batch order, so
 * reductions give the same bits for any thread count. Unsubscribing ends the workers. The plans
 * must run in workers (see `workerRefusal`).
 *
 * @example
 * lossesInWorkers('log.arrows', 4, false, {}, plans).pipe(map((chunks) => chunks[0]!));
 */
export function lossesInWorkers(
  path: string,
  threads: number,
  inThisThread: boolean,
  options: ReadOptions,
  plans: readonly LossOperatorPlan[],
  part?: { readonly first: number; readonly end: number; readonly seek?: number | undefined },
): Observable<LossChunk[]> {
  return new Observable<LossChunk[]>((subscriber) => {
    const reader = mapBatchesInWorkers<WorkerLoss[]>(
      path,
      (schema) => {
        const columns = plans.map((p) => {
          try {
            return p.columns(schema);
          } catch (e) {
            // This thread resolves the columns at the first batch, so its error names batch 0: so does this one.
            throw e instanceof LossError || e instanceof ArrowReadError ? e.withContext({ batch: 0 }) : e;
          }
        });
        const data: LossTaskData = {
          kernels: getKernelBackend(),
          losses: plans.map((p, i) => ({
            name: p.spec.name,
            options: p.options,
            by: p.by,
            nulls: p.nulls,
            columns: columns[i]!,
          })),
        };
        return {
          columns: columns.flatMap((c) => Object.values(c)),
          task: { module: lossTaskUrl(), data },
          // A big batch's row ranges, computed by every worker, become the batch's chunk again.
          merge: mergeWorkerLosses,
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
          subscriber.next(
            value.map((part, i) => ({
              loss: plans[i]!.spec.name,
              batch: index,
              ...part,
              perRow: undefined,
              source: undefined,
              file: path,
            })),
          );
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
