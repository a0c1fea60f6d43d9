import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link l1Loss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type L1LossOperatorOptions = Omit<core.L1LossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.L1LossOptions>('l1Loss', ['input', 'target'], core.l1Loss, core.l1LossPartial);

/**
 * Mean absolute error of each batch's input and target columns.
 *
 * @example
 * fromFile('regression.arrow').pipe(l1Loss({ input: 'pred', target: 'y' }), reduce('mean'));
 */
export function l1Loss(options: L1LossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
