import type * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import { ctcSpec } from './ctcSpec.js';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';

/** Options of the {@link ctcLoss} operator: core's CTC options, the columns and the stream options. */
export type CtcLossOperatorOptions = Omit<core.CtcLossOptions, 'reduction'> &
  ColumnOptions<'input' | 'target' | 'inputLengths' | 'targetLengths'> &
  StreamOptions;

/**
 * CTC loss of per-row log-probability sequences `(T, C)` (column `input`), padded integer targets
 * (column `target`, one fixed-size list per row) and the `input_lengths` / `target_lengths` columns
 * (`torch.nn.CTCLoss`).
 *
 * @example
 * fromFile('asr-log.arrow').pipe(ctcLoss({ input: 'log_probs', blank: 0, zeroInfinity: true }), reduce('mean'));
 */
export function ctcLoss(options: CtcLossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(ctcSpec, options);
}
