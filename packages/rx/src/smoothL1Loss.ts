import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link smoothL1Loss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type SmoothL1LossOperatorOptions = Omit<core.SmoothL1LossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.SmoothL1LossOptions>(
  'smoothL1Loss',
  ['input', 'target'],
  core.smoothL1Loss,
  core.smoothL1LossPartial,
);

/**
 * Smooth L1 loss (`torch.nn.SmoothL1Loss`).
 *
 * @example
 * fromFile('boxes.arrow').pipe(smoothL1Loss({ beta: 1 / 9 }), reduce('sum'));
 */
export function smoothL1Loss(
  options: SmoothL1LossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
