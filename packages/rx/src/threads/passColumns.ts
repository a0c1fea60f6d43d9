import type { Schema } from 'apache-arrow';
import type { LossOperatorPlan, MetricOperatorPlan } from './workerPlan.js';

/**
 * Every column a pass of these losses and metrics reads from a batch of this schema, as the worker
 * pool reads them: together they fix the row ranges a big batch is cut into, so a pass computed in
 * this thread uses the workers' ranges. `undefined` when a column is missing (the chunk of the
 * loss or metric that needs it reports it, with the batch and file).
 *
 * @example
 * const rangeColumns = passColumns(batch.schema, plans, metrics);
 */
export function passColumns(
  schema: Schema,
  plans: readonly LossOperatorPlan[],
  metrics: readonly MetricOperatorPlan[],
): string[] | undefined {
  try {
    return [...plans, ...metrics].flatMap((p) => Object.values(p.columns(schema)));
  } catch {
    return undefined;
  }
}
