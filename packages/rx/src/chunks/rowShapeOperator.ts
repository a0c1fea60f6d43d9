import { defer, map, type Observable, type OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { RowShapeCheck } from './rowShapes.js';

/**
 * Passes chunks through, checking per subscription that each loss's row shapes stay the same from
 * batch to batch (see {@link RowShapeCheck}); `losses` checks each loss of its arrays on its own.
 *
 * @example
 * source.pipe(map(chunk), checkRowShapes());
 */
export function checkRowShapes(): OperatorFunction<LossChunk, LossChunk> {
  return (source) =>
    defer(() => {
      const check = new RowShapeCheck();
      return source.pipe(
        map((chunk) => {
          check.check(chunk);
          return chunk;
        }),
      );
    });
}

/** {@link checkRowShapes} for arrays of chunks of several losses, one check per position. */
export function checkRowShapesOfEach(): OperatorFunction<LossChunk[], LossChunk[]> {
  return (source: Observable<LossChunk[]>) =>
    defer(() => {
      const checks: RowShapeCheck[] = [];
      return source.pipe(
        map((chunks) => {
          for (const [i, chunk] of chunks.entries()) {
            checks[i] ??= new RowShapeCheck();
            checks[i].check(chunk);
          }
          return chunks;
        }),
      );
    });
}
