import type { RecordBatch } from 'apache-arrow';
import { map, type OperatorFunction, pipe } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { checkRowShapesOfEach } from '../chunks/rowShapeOperator.js';
import {
  type LossOperatorPlan,
  type ThreadableOperator,
  threadable,
  workerPlanOf,
} from '../threads/workerPlan.js';

/**
 * Several loss operators over one pass: each batch becomes the array of their chunks, in the
 * order given. Piped right after `fromFile(path, { threads })` (`@lossflow/rx/node`) every loss
 * is computed in the same worker threads, each batch read once; elsewhere each batch goes through
 * every loss in this thread.
 *
 * @throws {TypeError} for an operator that is not a loss operator (every loss operator of this
 *   package, `operatorOf`'s and `lossOperator`'s, is; `losses(…)` itself is not).
 * @example
 * fromBatches(batches)
 *   .pipe(losses(crossEntropy(), mseLoss({ input: 'pred', target: 'y' })), share());
 */
export function losses(
  ...operators: OperatorFunction<RecordBatch, LossChunk>[]
): ThreadableOperator<LossChunk[]> {
  const plans: LossOperatorPlan[] = operators.map((op, i) => {
    const plan = workerPlanOf(op);
    if (plan?.kind !== 'loss' || plan.plans.length !== 1) {
      throw new TypeError(`losses() takes loss operators such as crossEntropy(); argument ${i} is not one`);
    }
    return plan.plans[0]!;
  });
  return threadable(
    // rxjs's pipe() rather than source.pipe(): a source's own pipe (FileBatches') must not see these steps.
    pipe(
      map((batch: RecordBatch, index) => plans.map((plan) => plan.chunk(batch, index))),
      checkRowShapesOfEach(),
    ),
    { kind: 'losses', plans, finish: checkRowShapesOfEach() },
  );
}
