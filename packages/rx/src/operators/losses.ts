import { LossError } from '@lossflow/core';
import type { RecordBatch, Schema } from 'apache-arrow';
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
 * @throws {LossError} `INVALID_OPTION` when it is created: with no operator (an array of no
 *   chunks per batch reduces to nothing), or with an argument that is not a loss operator (every
 *   loss operator of this package, `operatorOf`'s and `lossOperator`'s, is; `losses(…)` itself,
 *   `share()`, `map(…)` are not), naming the argument.
 * @example
 * fromBatches(batches)
 *   .pipe(losses(crossEntropy(), mseLoss({ input: 'pred', target: 'y' })), share());
 */
export function losses(
  ...operators: OperatorFunction<RecordBatch, LossChunk>[]
): ThreadableOperator<LossChunk[]> {
  if (operators.length === 0) {
    throw new LossError('INVALID_OPTION', 'losses() was given no loss operator', {
      loss: 'losses',
      hint: 'Pass the loss operators to compute in one pass, e.g. losses(crossEntropy(), mseLoss()).',
    });
  }
  const plans: LossOperatorPlan[] = operators.map((op, i) => {
    const plan = workerPlanOf(op);
    if (plan?.kind !== 'loss' || plan.plans.length !== 1) {
      throw new LossError(
        'INVALID_OPTION',
        `argument ${i} is ${plan?.kind === 'losses' ? 'losses(…) itself' : 'not a loss operator'}`,
        {
          loss: 'losses',
          argument: String(i),
          hint: 'Pass loss operators such as crossEntropy() or operatorOf(name)(), and pipe share(), map(…) and the like after losses(…).',
        },
      );
    }
    return plan.plans[0]!;
  });
  let rangeSchema: Schema | undefined;
  let rangeColumns: string[] | undefined;
  return threadable(
    // rxjs's pipe() rather than source.pipe(): a source's own pipe (FileBatches') must not see these steps.
    pipe(
      map((batch: RecordBatch, index) => {
        // Every loss's columns, as the worker pool reads them, fix the row ranges of a big batch.
        if (batch.schema !== rangeSchema) {
          rangeSchema = batch.schema;
          try {
            rangeColumns = plans.flatMap((plan) => Object.values(plan.columns(batch.schema)));
          } catch {
            // A column missing: the loss's chunk reports it, with the batch and file.
            rangeColumns = undefined;
          }
        }
        return plans.map((plan) => plan.chunk(batch, index, rangeColumns));
      }),
      checkRowShapesOfEach(),
    ),
    {
      kind: 'losses',
      plans,
      metrics: [],
      finish: (chunks) =>
        chunks.pipe(
          map((c) => c.losses),
          checkRowShapesOfEach(),
        ),
    },
  );
}
