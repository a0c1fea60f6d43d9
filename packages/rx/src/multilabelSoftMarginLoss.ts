import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link multilabelSoftMarginLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type MultilabelSoftMarginLossOperatorOptions = Omit<
  core.MultilabelSoftMarginLossOptions,
  'reduction'
> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.MultilabelSoftMarginLossOptions>(
  'multilabelSoftMarginLoss',
  ['input', 'target'],
  core.multilabelSoftMarginLoss,
  core.multilabelSoftMarginLossPartial,
);

/**
 * Multi-label one-versus-all loss (`torch.nn.MultiLabelSoftMarginLoss`).
 *
 * @example
 * fromFile('tags.arrow').pipe(multilabelSoftMarginLoss({ weight }), reduce('mean'));
 */
export function multilabelSoftMarginLoss(
  options: MultilabelSoftMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
