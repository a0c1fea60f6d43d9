import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link hingeEmbeddingLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type HingeEmbeddingLossOperatorOptions = Omit<core.HingeEmbeddingLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.HingeEmbeddingLossOptions>(
  'hingeEmbeddingLoss',
  ['input', 'target'],
  core.hingeEmbeddingLoss,
  core.hingeEmbeddingLossPartial,
);

/**
 * Hinge embedding loss of distances and ±1 targets (`torch.nn.HingeEmbeddingLoss`).
 *
 * @example
 * fromFile('pairs.arrow').pipe(hingeEmbeddingLoss({ margin: 2, input: 'distance' }), reduce('mean'));
 */
export function hingeEmbeddingLoss(
  options: HingeEmbeddingLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
