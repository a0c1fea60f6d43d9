import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link huberLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type HuberLossOperatorOptions = Omit<core.HuberLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.HuberLossOptions>(
  'huberLoss',
  ['input', 'target'],
  core.huberLoss,
  core.huberLossPartial,
);

/**
 * Huber loss (`torch.nn.HuberLoss`).
 *
 * @example
 * fromFile('regression.arrow').pipe(huberLoss({ delta: 0.5, input: 'pred', target: 'y' }), reduce('mean'));
 */
export function huberLoss(options: HuberLossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
