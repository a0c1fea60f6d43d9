import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link cosineEmbeddingLoss} operator: `@lossflow/core`'s options, the columns (`input1`, `input2`, `target`) and the stream options. */
export type CosineEmbeddingLossOperatorOptions = Omit<core.CosineEmbeddingLossOptions, 'reduction'> &
  ColumnOptions<'input1' | 'input2' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.CosineEmbeddingLossOptions>(
  'cosineEmbeddingLoss',
  ['input1', 'input2', 'target'],
  core.cosineEmbeddingLoss,
  core.cosineEmbeddingLossPartial,
);

/**
 * Cosine embedding loss of two embedding columns and ±1 targets (`torch.nn.CosineEmbeddingLoss`).
 *
 * @example
 * fromFile('pairs.arrow').pipe(cosineEmbeddingLoss({ input1: 'a', input2: 'b', margin: 0.2 }), reduce('mean'));
 */
export function cosineEmbeddingLoss(
  options: CosineEmbeddingLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
