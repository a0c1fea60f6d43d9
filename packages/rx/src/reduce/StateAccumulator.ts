import { createState, finalize, type LossState, mergeInto, type StateReduction } from '@lossflow/core';

/**
 * The running merge of a stream's partial states: the single accumulator behind `reduce` and
 * `running`. Before any state arrives it reduces like torch over no elements: `'sum'` 0, else NaN.
 */
export class StateAccumulator {
  #total: LossState | undefined;

  /** Merges one batch's state (throws `STATE_MISMATCH` if it comes from another loss). */
  add(state: LossState): this {
    this.#total ??= createState(state.loss, state.dtype);
    mergeInto(this.#total, state);
    return this;
  }

  /** The reduced value of everything added so far. */
  value(reduction: StateReduction): number {
    if (this.#total === undefined) return reduction === 'sum' ? 0 : Number.NaN;
    return finalize(this.#total, reduction);
  }
}
