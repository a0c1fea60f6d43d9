import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link poissonNllLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type PoissonNllLossOperatorOptions = Omit<core.PoissonNllLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.PoissonNllLossOptions>(
  'poissonNllLoss',
  ['input', 'target'],
  core.poissonNllLoss,
  core.poissonNllLossPartial,
);

/**
 * Poisson negative log-likelihood (`torch.nn.PoissonNLLLoss`).
 *
 * @example
 * fromFile('counts.arrow').pipe(poissonNllLoss({ logInput: true, full: true }), reduce('mean'));
 */
export function poissonNllLoss(
  options: PoissonNllLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
