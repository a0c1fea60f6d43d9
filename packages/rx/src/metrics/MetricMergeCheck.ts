import { LossError, type LossErrorContext, type MetricState, mergeMetricInto } from '@lossflow/core';
import type { MetricChunk } from '../chunks/MetricChunk.js';

/**
 * Merges a stream's metric states, remembering the batch that fixed their layout (task and class
 * count), so that a later batch that cannot join (another file with another class count) fails
 * naming both batches and files, as a loss's changed row shape does.
 *
 * @example
 * const check = new MetricMergeCheck();
 * check.merge(total, chunk.state, chunk);
 */
export class MetricMergeCheck {
  #first: MetricChunk | undefined;

  /** Merges `state`, of `chunk`'s rows, into `into`; a `STATE_MISMATCH` names both batches. */
  merge(into: MetricState, state: MetricState, chunk: MetricChunk): void {
    try {
      mergeMetricInto(into, state);
    } catch (e) {
      if (!(e instanceof LossError) || e.code !== 'STATE_MISMATCH') throw e;
      const context: LossErrorContext = { batch: chunk.batch };
      if (chunk.file !== undefined) context.file = chunk.file;
      if (this.#first !== undefined) {
        context.firstBatch = this.#first.batch;
        if (this.#first.file !== undefined) context.firstFile = this.#first.file;
      }
      throw e.withContext(context);
    }
    if (this.#first === undefined && state.layout !== '') this.#first = chunk;
  }
}
