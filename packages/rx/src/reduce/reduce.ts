import type { StateReduction } from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { RowShapeCheck } from '../chunks/rowShapes.js';
import { StateAccumulator } from './StateAccumulator.js';

/**
 * Emits the loss over every row of the stream, a plain number, when the source completes: the
 * exact merge of all batch states, so it equals the one-shot value over the whole file. A source
 * that errors (or a state that cannot merge) emits no value. An empty stream gives torch's empty
 * reduction (`'mean'` NaN, `'sum'` 0).
 *
 * @example
 * import { crossEntropy, reduce } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(crossEntropy({ weight: [1, 2, 0.5] }), reduce('mean')).subscribe(console.log);
 */
export function reduce(reduction: StateReduction = 'mean'): OperatorFunction<LossChunk, number> {
  return (source) =>
    new Observable<number>((subscriber) => {
      const total = new StateAccumulator();
      const shapes = new RowShapeCheck();
      return source.subscribe({
        next: (chunk) => {
          try {
            shapes.check(chunk);
            total.add(chunk.state);
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          let value: number;
          try {
            value = total.value(reduction);
          } catch (e) {
            subscriber.error(e);
            return;
          }
          subscriber.next(value);
          subscriber.complete();
        },
      });
    });
}
