import { LossError } from '@lossflow/core';
import type { RecordBatch, Schema } from 'apache-arrow';
import { defer, map, type OperatorFunction, pipe } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import type { MetricChunk } from '../chunks/MetricChunk.js';
import { RowShapeCheck } from '../chunks/rowShapes.js';
import { sharedMetricPass } from '../compute/sharedMetricPass.js';
import { passColumns } from '../threads/passColumns.js';
import {
  type LossOperatorPlan,
  type MetricOperatorPlan,
  type PassChunks,
  type ThreadableOperator,
  threadable,
  workerPlanOf,
} from '../threads/workerPlan.js';

/**
 * Loss operators and metric operators over one pass: each batch becomes its {@link PassChunks},
 * the losses' chunks and the metrics' chunks in the order given. Piped right after
 * `fromFile(path, { threads })` (`@lossflow/rx/node`) every loss and metric is computed in the
 * same worker threads, each batch read once, merged in batch order: the same bits for any thread
 * count, 0 included. Elsewhere each batch goes through every operator in this thread.
 *
 * @throws {LossError} `INVALID_OPTION` when it is created: with no operator at all, or with an
 *   argument that is not a loss operator (in `losses`) or a metric operator (in `metrics`), naming it.
 * @example
 * import { accuracy, crossEntropy, lossesAndMetrics, topKAccuracy } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrows', { threads: 4 })
 *   .pipe(lossesAndMetrics([crossEntropy()], [accuracy(), topKAccuracy({ k: 5 })]), share());
 */
export function lossesAndMetrics(
  losses: readonly OperatorFunction<RecordBatch, LossChunk>[],
  metrics: readonly OperatorFunction<RecordBatch, MetricChunk>[],
): ThreadableOperator<PassChunks> {
  if (losses.length + metrics.length === 0) {
    throw new LossError('INVALID_OPTION', 'lossesAndMetrics() was given no operator', {
      loss: 'lossesAndMetrics',
      hint: 'Pass the loss and metric operators to compute in one pass, e.g. lossesAndMetrics([crossEntropy()], [accuracy()]).',
    });
  }
  const plans: LossOperatorPlan[] = losses.map((op, i) => {
    const plan = workerPlanOf(op);
    if (plan?.kind !== 'loss' || plan.plans.length !== 1) throw notOne('loss', `losses[${i}]`);
    return plan.plans[0]!;
  });
  const metricPlans: MetricOperatorPlan[] = metrics.map((op, i) => {
    const plan = workerPlanOf(op);
    if (plan?.kind !== 'metric' || plan.metrics.length !== 1) throw notOne('metric', `metrics[${i}]`);
    return plan.metrics[0]!;
  });
  let rangeSchema: Schema | undefined;
  let rangeColumns: string[] | undefined;
  // Row shapes are checked per subscription on the losses' chunks, as losses(…) checks them.
  const checked: OperatorFunction<PassChunks, PassChunks> = (chunks) =>
    defer(() => {
      const checks = plans.map(() => new RowShapeCheck());
      return chunks.pipe(
        map((c) => {
          for (const [i, chunk] of c.losses.entries()) checks[i]?.check(chunk);
          return c;
        }),
      );
    });
  return threadable(
    // rxjs's pipe() rather than source.pipe(): a source's own pipe (FileBatches') must not see these steps.
    pipe(
      map((batch: RecordBatch, index): PassChunks => {
        // Every column of the pass, as the worker pool reads them, fixes the row ranges of a big batch.
        if (batch.schema !== rangeSchema) {
          rangeSchema = batch.schema;
          rangeColumns = passColumns(batch.schema, plans, metricPlans);
        }
        // The losses first, in the metrics' scope: a cross-entropy then reads the logits for both.
        return sharedMetricPass(
          metricPlans,
          () => ({
            losses: plans.map((plan) => plan.chunk(batch, index, rangeColumns)),
            metrics: metricPlans.map((plan) => plan.chunk(batch, index, rangeColumns)),
          }),
          true,
        );
      }),
      checked,
    ),
    { kind: 'pass', plans, metrics: metricPlans, finish: checked },
  );
}

function notOne(what: 'loss' | 'metric', argument: string): LossError {
  return new LossError('INVALID_OPTION', `${argument} is not a ${what} operator`, {
    loss: 'lossesAndMetrics',
    argument,
    hint:
      what === 'loss'
        ? 'Pass loss operators such as crossEntropy() in the first array, metric operators in the second.'
        : 'Pass metric operators such as accuracy() or metricOperator(name) in the second array.',
  });
}
