import type { StateReduction } from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { GroupValue, LossChunk } from '../chunks/LossChunk.js';
import { GroupAccumulator } from './groupAccumulator.js';

/**
 * Emits one `{ key, value, rows }` per group when the source completes, in the order keys first
 * appeared. Groups come from the loss operator's `by` column and stay exact when a batch spans
 * two keys or a key spans many batches.
 *
 * @example
 * import { crossEntropy, reduceGroups } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('train-log.arrow')
 *   .pipe(crossEntropy({ by: 'epoch' }), reduceGroups('mean'))
 *   .subscribe(({ key, value }) => console.log(`epoch ${key}: ${value}`));
 */
export function reduceGroups(reduction: StateReduction = 'mean'): OperatorFunction<LossChunk, GroupValue> {
  return (source) =>
    new Observable<GroupValue>((subscriber) => {
      const groups = new GroupAccumulator();
      return source.subscribe({
        next: (chunk) => {
          try {
            groups.add(chunk);
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          try {
            const values = [...groups.keys()].map((k) => groups.value(k, reduction));
            for (const v of values) subscriber.next(v);
            subscriber.complete();
          } catch (e) {
            subscriber.error(e);
          }
        },
      });
    });
}
