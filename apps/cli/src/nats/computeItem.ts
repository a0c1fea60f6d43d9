import { type LossChunk, losses } from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import { toArray } from 'rxjs';
import { type EvalPlan, parseEvalArgs } from '../args/evalArgs.js';
import { evalOperators } from '../eval/evalPipeline.js';
import type { ItemSpec } from './itemSpec.js';

/** The part of a run's file a worker computes (the fields of `WorkItem` of `@lossflow/nats` it needs). */
export interface ItemToCompute {
  readonly path: string;
  readonly part: { readonly first: number; readonly end: number };
  readonly spec: unknown;
}

/**
 * Computes one item of a CLI run, as `lossflow eval` computes those batches locally (the same loss
 * operators from the same arguments, `fromFile` with threads and this thread computing, here only
 * the item's part): per batch, one chunk per `--loss`. Aborting unsubscribes, which ends the
 * threads.
 *
 * @example
 * const chunks = await computeItem(item, 2, signal);
 */
export function computeItem(
  item: ItemToCompute,
  threads: number,
  signal: AbortSignal,
): Promise<LossChunk[][]> {
  const spec = item.spec as ItemSpec;
  const plan: EvalPlan = parseEvalArgs(spec.args);
  const operators = evalOperators(plan, { perRow: false, step: spec.step });
  const chunks$ = fromFile(item.path, {
    threads,
    inThisThread: true,
    part: item.part,
    ...(plan.allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {}),
  }).pipe(losses(...operators), toArray());
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('stopped'));
      return;
    }
    const subscription = chunks$.subscribe({ next: resolve, error: reject });
    signal.addEventListener(
      'abort',
      () => {
        subscription.unsubscribe();
        reject(new Error('stopped'));
      },
      { once: true },
    );
  });
}
