import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link binaryCrossEntropy} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type BinaryCrossEntropyOperatorOptions = Omit<core.BinaryCrossEntropyOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.BinaryCrossEntropyOptions>(
  'binaryCrossEntropy',
  ['input', 'target'],
  core.binaryCrossEntropy,
  core.binaryCrossEntropyPartial,
);

/**
 * Binary cross-entropy of probabilities (`torch.nn.BCELoss`).
 *
 * @example
 * fromFile('probs.arrow').pipe(binaryCrossEntropy(), reduce('mean'));
 */
export function binaryCrossEntropy(
  options: BinaryCrossEntropyOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
