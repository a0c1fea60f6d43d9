import { statSync } from 'node:fs';
import { ArrowReadError, type ReadOptions } from '@lossflow/arrow';
import { mapBatchesInWorkers, readFile as readBatches } from '@lossflow/arrow/node';
import { getKernelBackend, LossError } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import { defer, map, Observable, tap } from 'rxjs';
import { setBatchOrigin } from './batchOrigin.js';
import { fromBatches } from './fromBatches.js';
import type { LossChunk } from './LossChunk.js';
import { registerLossErrorCodec } from './lossErrorCodec.js';
import type { LossOperatorPlan } from './lossOperator.js';
import type { LossTaskData, WorkerLoss } from './lossTask.js';
import { lossTaskUrl } from './lossTaskUrl.js';

// The pool's side of the LossError codec the worker task registers (lossTask.ts).
registerLossErrorCodec();

/**
 * The batches of a file that `fromFile` opened with `threads ≥ 1`. Subscribed to directly, it reads
 * the batches in this thread, like any `fromFile`; piped into loss operators (or `losses`), it
 * hands the reading and the loss computation to worker threads instead.
 */
export class ThreadedBatches extends Observable<RecordBatch> {
  constructor(
    readonly path: string,
    readonly threads: number,
    readonly options: ReadOptions,
    readonly inThisThread = false,
  ) {
    super((subscriber) =>
      fromBatches(readBatches(path, options))
        .pipe(tap((b) => setBatchOrigin(b, path)))
        .subscribe(subscriber),
    );
  }
}

/** Whether a worker thread can run this loss: a standard spec, options it can receive, no per-row output. */
function runsInWorkers(plan: LossOperatorPlan): boolean {
  if (plan.spec.standard !== true || plan.perRow) return false;
  try {
    structuredClone(plan.options);
    return true;
  } catch {
    return false;
  }
}

/**
 * The chunks of several losses per batch, computed in worker threads, when `source` is a
 * {@link ThreadedBatches} and every loss can run there; `undefined` otherwise (the caller then
 * computes in this thread). Each worker reads its batches itself, straight into WebAssembly
 * memory; the chunks come in batch order, so reductions give the same bits for any thread count.
 * Unsubscribing ends the workers.
 *
 * @example
 * const chunks$ = threadedLosses(source, plans) ?? source.pipe(map((b, i) => plans.map((p) => p.chunk(b, i))));
 */
export function threadedLosses(
  source: Observable<RecordBatch>,
  plans: readonly LossOperatorPlan[],
): Observable<LossChunk[]> | undefined {
  if (!(source instanceof ThreadedBatches) || !plans.every(runsInWorkers)) return undefined;
  const { path, threads, options, inThisThread } = source;
  // Workers read the file at offsets (through the descriptor the pool opened): a pipe or a device is read here.
  const readHere = source.pipe(map((batch, index) => plans.map((plan) => plan.chunk(batch, index))));
  return defer(() =>
    isRegularFile(path) ? inWorkers(path, threads, inThisThread, options, plans) : readHere,
  );
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // Let the reader report a missing file as it always does.
    return true;
  }
}

function inWorkers(
  path: string,
  threads: number,
  inThisThread: boolean,
  options: ReadOptions,
  plans: readonly LossOperatorPlan[],
): Observable<LossChunk[]> {
  return new Observable<LossChunk[]>((subscriber) => {
    const reader = mapBatchesInWorkers<WorkerLoss[]>(
      path,
      (schema) => {
        const columns = plans.map((p) => p.columns(schema));
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
        return { columns: columns.flatMap((c) => Object.values(c)), task: { module: lossTaskUrl(), data } };
      },
      {
        threads,
        inThisThread,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
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
