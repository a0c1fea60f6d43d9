import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';
import { weightOrOptions } from './weightOrOptions.js';

/** Options of the {@link nllLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type NllLossOperatorOptions = Omit<core.NllLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.NllLossOptions>('nllLoss', ['input', 'target'], core.nllLoss, core.nllLossPartial);

/**
 * Negative log-likelihood of log-probability rows against class-index targets (`torch.nn.NLLLoss`).
 * A class-weight array alone is accepted as the options: `nllLoss(weight)`.
 *
 * @example
 * fromFile('log-probs.arrow').pipe(nllLoss({ weight: [1, 2, 0.5], ignoreIndex: -100 }), reduce('mean'));
 */
export function nllLoss(
  options: NllLossOperatorOptions | core.TensorInput = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, weightOrOptions(options));
}
