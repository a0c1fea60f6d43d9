import * as core from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from './LossChunk.js';
import { type ColumnOptions, lossOperator, type StreamOptions } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

/** Options of the {@link klDiv} operator: `@lossflow/core`'s options, the columns (`input`, `target`) and the stream options. */
export type KlDivOperatorOptions = Omit<core.KlDivOptions, 'reduction'> &
  ColumnOptions<'input' | 'target'> &
  StreamOptions;

const spec = lossSpec<core.KlDivOptions>('klDiv', ['input', 'target'], core.klDiv, core.klDivPartial);

/**
 * Kullback-Leibler divergence of log-probability inputs (`torch.nn.KLDivLoss`); reduce with `'batchmean'` for the true KL.
 *
 * @example
 * fromFile('distill.arrow').pipe(klDiv({ logTarget: true }), reduce('batchmean'));
 */
export function klDiv(options: KlDivOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return lossOperator(spec, options);
}
