import type { StateReduction } from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { RowShapeCheck } from '../chunks/rowShapes.js';
import { StateAccumulator } from './StateAccumulator.js';

/**
 * Emits the running loss over all rows so far after every batch (its last value equals
 * {@link reduce}'s). Each subscription keeps its own accumulator.
 *
 * @example
 * import { mseLoss, running } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(mseLoss(), running('mean')).subscribe((v) => console.log(v));
 */
export function running(reduction: StateReduction = 'mean'): OperatorFunction<LossChunk, number> {
  return (source) =>
    new Observable<number>((subscriber) => {
      const total = new StateAccumulator();
      const shapes = new RowShapeCheck();
      return source.subscribe({
        next: (chunk) => {
          let value: number;
          try {
            shapes.check(chunk);
            value = total.add(chunk.state).value(reduction);
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
