import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link gaussianNllLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`, `var`) and the stream options. */
export type GaussianNllLossOperatorOptions = Omit<core.GaussianNllLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target' | 'var'> &
  StreamOptions;

const spec = lossSpec<core.GaussianNllLossOptions>(
  'gaussianNllLoss',
  ['input', 'target', 'var'],
  core.gaussianNllLoss,
  core.gaussianNllLossPartial,
);

/**
 * Gaussian negative log-likelihood with a predicted variance column (`torch.nn.GaussianNLLLoss`).
 *
 * @example
 * fromFile('forecast.arrow').pipe(gaussianNllLoss({ input: 'mu', target: 'y', var: 'sigma2' }), reduce('mean'));
 */
export function gaussianNllLoss(
  options: GaussianNllLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
