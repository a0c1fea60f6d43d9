import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link multiMarginLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type MultiMarginLossOperatorOptions = Omit<core.MultiMarginLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.MultiMarginLossOptions>(
  'multiMarginLoss',
  ['input', 'target'],
  core.multiMarginLoss,
  core.multiMarginLossPartial,
);

/**
 * Multi-class margin loss (`torch.nn.MultiMarginLoss`).
 *
 * @example
 * fromFile('scores.arrow').pipe(multiMarginLoss({ p: 2, margin: 0.5 }), reduce('mean'));
 */
export function multiMarginLoss(
  options: MultiMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
