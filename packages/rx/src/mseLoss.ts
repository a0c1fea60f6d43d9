import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link mseLoss} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type MseLossOperatorOptions = Omit<core.MseLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.MseLossOptions>('mseLoss', ['input', 'target'], core.mseLoss, core.mseLossPartial);

/**
 * Mean squared error of each batch's input and target columns.
 *
 * @example
 * fromFile('regression.arrow').pipe(mseLoss({ input: 'pred', target: 'y' }), reduce('mean'));
 */
export function mseLoss(options: MseLossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
