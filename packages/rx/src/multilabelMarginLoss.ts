import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link multilabelMarginLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type MultilabelMarginLossOperatorOptions = Omit<core.MultilabelMarginLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.MultilabelMarginLossOptions>(
  'multilabelMarginLoss',
  ['input', 'target'],
  core.multilabelMarginLoss,
  core.multilabelMarginLossPartial,
);

/**
 * Multi-label margin loss with −1-terminated label rows (`torch.nn.MultiLabelMarginLoss`).
 *
 * @example
 * fromFile('tags.arrow').pipe(multilabelMarginLoss(), reduce('mean'));
 */
export function multilabelMarginLoss(
  options: MultilabelMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
