import { lossDescriptor } from '@lossflow/core';
import {
  type LossChunk,
  type LossOperatorPlan,
  operatorOf,
  WORKER_PLAN,
  type WorkerPlan,
} from '@lossflow/rx';
import type { RecordBatch, Schema } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { EvalSpec, LossSpec } from './evalSpec.js';

/**
 * The `@lossflow/rx` operator plan of each loss of `spec`: the one both the page (to resolve
 * columns) and every worker (to compute chunks) build, so they agree on columns and options.
 *
 * @example
 * const plans = lossPlans({ losses: [{ name: 'crossEntropy', reduction: 'mean', options: {}, columns: {} }], by: 'epoch', kernels: 'wasm' });
 */
export function lossPlans(spec: EvalSpec): LossOperatorPlan[] {
  return spec.losses.map((loss) => {
    const operator = operatorOf(loss.name as never)(
      operatorOptions(loss, spec.by) as never,
    ) as OperatorFunction<RecordBatch, LossChunk> & { [WORKER_PLAN]: WorkerPlan<LossChunk> };
    return operator[WORKER_PLAN].plans[0]!;
  });
}

/**
 * Every column the losses read in a batch of `schema`, in the order the CLI's worker pool cuts
 * batches into row ranges by (each loss's roles, then its grouping column): the same cut gives the
 * same bits.
 */
export function rangeColumns(plans: readonly LossOperatorPlan[], schema: Schema): string[] {
  return plans.flatMap((p) => Object.values(p.columns(schema)));
}

/** The options object of a loss's rx operator: its core options, its columns and the grouping column. */
function operatorOptions(loss: LossSpec, by: string | undefined): Record<string, unknown> {
  const descriptor = lossDescriptor(loss.name);
  const options: Record<string, unknown> = { ...loss.options };
  // An option that takes a function is chosen by the name of one of its named values (as the CLI does).
  for (const [key, value] of Object.entries(options)) {
    const named = descriptor?.options[key]?.named;
    if (named !== undefined && typeof value === 'string' && Object.hasOwn(named, value))
      options[key] = named[value];
  }
  return { ...options, ...loss.columns, ...(by === undefined ? {} : { by }), nulls: 'error' };
}
