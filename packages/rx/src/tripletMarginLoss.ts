import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link tripletMarginLoss} operator: `@lossflow/core`'s options, the columns (`anchor`, `positive`, `negative`) and the stream options. */
export type TripletMarginLossOperatorOptions = Omit<core.TripletMarginLossOptions, 'reduction'> &
  ColumnOptions<'anchor' | 'positive' | 'negative'> &
  StreamOptions;

const spec = lossSpec<core.TripletMarginLossOptions>(
  'tripletMarginLoss',
  ['anchor', 'positive', 'negative'],
  core.tripletMarginLoss,
  core.tripletMarginLossPartial,
);

/**
 * Triplet margin loss of anchor/positive/negative embedding columns (`torch.nn.TripletMarginLoss`).
 *
 * @example
 * fromFile('triplets.arrow').pipe(tripletMarginLoss({ margin: 1, p: 2 }), reduce('mean'));
 */
export function tripletMarginLoss(
  options: TripletMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
