import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link binaryCrossEntropyWithLogits} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type BinaryCrossEntropyWithLogitsOperatorOptions = Omit<
  core.BinaryCrossEntropyWithLogitsOptions,
  'reduction'
> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.BinaryCrossEntropyWithLogitsOptions>(
  'binaryCrossEntropyWithLogits',
  ['input', 'target'],
  core.binaryCrossEntropyWithLogits,
  core.binaryCrossEntropyWithLogitsPartial,
);

/**
 * Binary cross-entropy on logits (`torch.nn.BCEWithLogitsLoss`), with `weight` and `posWeight`.
 *
 * @example
 * fromFile('multilabel.arrow').pipe(binaryCrossEntropyWithLogits({ posWeight: [2, 1, 3] }), reduce('mean'));
 */
export function binaryCrossEntropyWithLogits(
  options: BinaryCrossEntropyWithLogitsOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
