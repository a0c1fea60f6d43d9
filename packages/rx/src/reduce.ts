import { createState, finalize, type LossState, mergeInto, type StateReduction } from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';

/**
 * Emits the loss over every row of the stream, a plain number, when the source completes: the
 * exact merge of all batch states, so it equals the one-shot value over the whole file. A source
 * that errors emits no value. An empty stream gives torch's empty reduction (`'mean'` NaN, `'sum'` 0).
 *
 * @example
 * fromFile('preds.arrow').pipe(crossEntropy({ weight: [1, 2, 0.5] }), reduce('mean')).subscribe(console.log);
 */
export function reduce(reduction: StateReduction = 'mean'): OperatorFunction<LossChunk, number> {
  return (source) =>
    new Observable<number>((subscriber) => {
      let total: LossState | undefined;
      return source.subscribe({
        next: (chunk) => {
          total ??= createState(chunk.state.loss, chunk.state.dtype);
          mergeInto(total, chunk.state);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          try {
            subscriber.next(finalize(total ?? createState('empty'), reduction));
            subscriber.complete();
          } catch (e) {
            subscriber.error(e);
          }
        },
      });
    });
}
