import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link tripletMarginWithDistanceLoss} operator: `@lossflow/core`'s options, the columns (`anchor`, `positive`, `negative`) and the stream options. */
export type TripletMarginWithDistanceLossOperatorOptions = Omit<
  core.TripletMarginWithDistanceLossOptions,
  'reduction'
> &
  ColumnOptions<'anchor' | 'positive' | 'negative'> &
  StreamOptions;

const spec = lossSpec<core.TripletMarginWithDistanceLossOptions>(
  'tripletMarginWithDistanceLoss',
  ['anchor', 'positive', 'negative'],
  core.tripletMarginWithDistanceLoss,
  core.tripletMarginWithDistanceLossPartial,
);

/**
 * Triplet margin loss with a custom distance (`torch.nn.TripletMarginWithDistanceLoss`).
 *
 * @example
 * fromFile('triplets.arrow').pipe(tripletMarginWithDistanceLoss({ distanceFunction: cosineDistance }), reduce('mean'));
 */
export function tripletMarginWithDistanceLoss(
  options: TripletMarginWithDistanceLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
