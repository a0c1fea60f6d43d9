import type { StateReduction } from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { GroupValue, LossChunk } from '../chunks/LossChunk.js';
import { GroupAccumulator } from './groupAccumulator.js';

/**
 * After every batch, emits the running `{ key, value, rows }` of each group the batch touched
 * (a batch spanning two epochs emits two values).
 *
 * @example
 * import { crossEntropy, runningGroups } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('train-log.arrow')
 *   .pipe(crossEntropy({ by: 'epoch' }), runningGroups('mean'))
 *   .subscribe(({ key, value, rows }) => progress.update(key, value, rows));
 */
export function runningGroups(reduction: StateReduction = 'mean'): OperatorFunction<LossChunk, GroupValue> {
  return (source) =>
    new Observable<GroupValue>((subscriber) => {
      const groups = new GroupAccumulator();
      return source.subscribe({
        next: (chunk) => {
          let values: GroupValue[];
          try {
            values = groups.add(chunk).map((k) => groups.value(k, reduction));
          } catch (e) {
            subscriber.error(e);
            return;
          }
          for (const v of values) subscriber.next(v);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
