import type { RecordBatch } from 'apache-arrow';
import { map, type OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type LossOperatorPlan, planOf } from './lossOperator.js';
import { checkRowShapesOfEach } from './rowShapeOperator.js';
import { threadedLosses } from './threadedLosses.js';

/**
 * Several loss operators over one pass: each batch becomes the array of their chunks, in the
 * order given. After `fromFile(path, { threads })` every loss is computed in the same worker
 * threads, each batch read once; elsewhere each batch goes through every loss in this thread.
 *
 * @throws {TypeError} for an operator not built by `lossOperator` (every loss operator of this package is).
 * @example
 * fromFile('log.arrows', { threads: 4 })
 *   .pipe(losses(crossEntropy(), mseLoss({ input: 'pred', target: 'y' })), share());
 */
export function losses(
  ...operators: OperatorFunction<RecordBatch, LossChunk>[]
): OperatorFunction<RecordBatch, LossChunk[]> {
  const plans: LossOperatorPlan[] = operators.map((op, i) => {
    const plan = planOf(op);
    if (plan === undefined) {
      throw new TypeError(`losses() takes loss operators such as crossEntropy(); argument ${i} is not one`);
    }
    return plan;
  });
  return (source) =>
    (
      threadedLosses(source, plans) ??
      source.pipe(map((batch, index) => plans.map((plan) => plan.chunk(batch, index))))
    ).pipe(checkRowShapesOfEach());
}
