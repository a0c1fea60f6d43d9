import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';
import { weightOrOptions } from './weightOrOptions.js';

/** Options of the {@link crossEntropy} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type CrossEntropyOperatorOptions = Omit<core.CrossEntropyOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.CrossEntropyOptions>(
  'crossEntropy',
  ['input', 'target'],
  core.crossEntropy,
  core.crossEntropyPartial,
);

/**
 * Cross-entropy of logit rows against class indices or class probabilities (`torch.nn.CrossEntropyLoss`).
 * A class-weight array alone is accepted as the options: `crossEntropy(weight)`.
 *
 * @example
 * fromFile('train-log.arrow').pipe(crossEntropy({ weight, ignoreIndex: -100, labelSmoothing: 0.1 }), reduce('mean'));
 */
export function crossEntropy(
  options: CrossEntropyOperatorOptions | core.TensorInput = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, weightOrOptions(options));
}
