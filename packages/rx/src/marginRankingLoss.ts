import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link marginRankingLoss} operator: `@lossflow/core`'s options, the columns (`input1`, `input2`, `target`) and the stream options. */
export type MarginRankingLossOperatorOptions = Omit<core.MarginRankingLossOptions, 'reduction'> &
  ColumnOptions<'input1' | 'input2' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.MarginRankingLossOptions>(
  'marginRankingLoss',
  ['input1', 'input2', 'target'],
  core.marginRankingLoss,
  core.marginRankingLossPartial,
);

/**
 * Margin ranking loss of two score columns and ±1 targets (`torch.nn.MarginRankingLoss`).
 *
 * @example
 * fromFile('ranking.arrow').pipe(marginRankingLoss({ input1: 'pos', input2: 'neg', margin: 1 }), reduce('mean'));
 */
export function marginRankingLoss(
  options: MarginRankingLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
