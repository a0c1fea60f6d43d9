import { createState, finalize, type LossState, mergeInto, type StateReduction } from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';

/**
 * Emits the running loss over all rows so far after every batch (its last value equals
 * {@link reduce}'s). Each subscription keeps its own accumulator.
 *
 * @example
 * fromFile('preds.arrow').pipe(mseLoss(), running('mean')).subscribe((v) => console.log(v));
 */
export function running(reduction: StateReduction = 'mean'): OperatorFunction<LossChunk, number> {
  return (source) =>
    new Observable<number>((subscriber) => {
      let total: LossState | undefined;
      return source.subscribe({
        next: (chunk) => {
          total ??= createState(chunk.state.loss, chunk.state.dtype);
          let value: number;
          try {
            value = finalize(mergeInto(total, chunk.state), reduction);
          } catch (e) {
            subscriber.error(e);
            return;
          }
          subscriber.next(value);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
