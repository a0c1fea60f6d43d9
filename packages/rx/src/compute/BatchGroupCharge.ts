import { LossError } from '@lossflow/core';
import { type BatchGroupLimits, budgetClause } from '../reduce/GroupBudget.js';

/** What `keyGroups` asks before it builds a group's state, and tells once it has built it. */
export interface GroupCharge<S> {
  /**
   * Before building group `k` (0-based) of the batch, whose key first appears at `row`.
   *
   * @throws {LossError} `TOO_MANY_GROUPS` naming `row` when building it would pass the budget
   */
  before(k: number, row: number): void;
  /** After building a group's state: charges its cost. */
  after(state: S): void;
}

/**
 * The group states one batch (or one row range of it) builds, charged against a `GroupBudget`'s
 * bounds as they are built, across every loss and metric computed from it (a worker thread keeps
 * all of them until it posts the batch's chunks): a batch of many distinct keys fails with
 * `TOO_MANY_GROUPS` before it builds the state that would pass the budget, instead of building
 * them all (gigabytes for a confusion matrix or AUROC bins per key) and failing only when the
 * chunks are counted. A group costs what the budget counts it at (`LOSS_GROUP_BYTES`,
 * `metricGroupBytes`), so a batch fails here only where the budget would fail on its chunks.
 *
 * @example
 * const charge = new BatchGroupCharge();
 * keyGroups(spec, options, args, keys, 'user', charge.stream(limits, 'mseLoss', 'user', () => LOSS_GROUP_BYTES));
 */
export class BatchGroupCharge {
  /** Bytes of the states built so far, every stream's. */
  #bytes = 0;
  /** The cost of one group of every stream that has built one: one more key costs this much. */
  #perGroup = 0;

  /**
   * The charge of the groups of loss or metric `name`, at `bytesOf(state)` each, against `limits`.
   * The first group of a stream is always built, as a budget always allows one group.
   */
  stream<S>(
    limits: BatchGroupLimits,
    name: string,
    column: string,
    bytesOf: (state: S) => number,
  ): GroupCharge<S> {
    let cost: number | undefined;
    return {
      before: (k, row) => {
        if (limits.maxGroups !== undefined) {
          if (k >= limits.maxGroups) this.#fail(limits, name, column, limits.maxGroups, row);
        } else if (k > 0 && cost !== undefined && this.#bytes + cost > limits.memoryBytes) {
          this.#fail(limits, name, column, Math.max(1, Math.floor(limits.memoryBytes / this.#perGroup)), row);
        }
      },
      after: (state) => {
        const bytes = bytesOf(state);
        if (cost === undefined || bytes > cost) {
          this.#perGroup += bytes - (cost ?? 0);
          cost = bytes;
        }
        this.#bytes += bytes;
      },
    };
  }

  #fail(limits: BatchGroupLimits, name: string, column: string, limit: number, row: number): never {
    const by = `'${limits.by ?? column}'`;
    const budget = budgetClause(limit, limits.maxGroups, limits.memoryBytes, this.#perGroup);
    throw new LossError(
      'TOO_MANY_GROUPS',
      `${by} has more than ${limit.toLocaleString('en-US')} distinct values in one batch: ${budget}, and every group's state is kept until the end`,
      // The row where the first key past the budget appears: the key itself may be a code a
      // worker cannot show as the user knows it.
      { loss: name, column: limits.by ?? column, row, hint: limits.hint },
    );
  }
}
