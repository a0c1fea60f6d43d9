import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link softMarginLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type SoftMarginLossOperatorOptions = Omit<core.SoftMarginLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.SoftMarginLossOptions>(
  'softMarginLoss',
  ['input', 'target'],
  core.softMarginLoss,
  core.softMarginLossPartial,
);

/**
 * Soft margin loss of ±1 targets (`torch.nn.SoftMarginLoss`).
 *
 * @example
 * fromFile('scores.arrow').pipe(softMarginLoss(), reduce('mean'));
 */
export function softMarginLoss(
  options: SoftMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
