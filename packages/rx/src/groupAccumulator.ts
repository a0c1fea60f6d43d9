import {
  createState,
  finalize,
  LossError,
  type LossState,
  mergeInto,
  type StateReduction,
} from '@lossflow/core';
import type { GroupKey, GroupValue, LossChunk } from './LossChunk.js';

/** Per-key running states, in the order keys first appear; shared by the grouped reductions. */
export class GroupAccumulator {
  readonly #states = new Map<GroupKey, LossState>();

  /** Merges a chunk's group states; returns the keys it touched, in order. */
  add(chunk: LossChunk): GroupKey[] {
    if (chunk.groups === undefined) {
      throw new LossError('INVALID_OPTION', 'grouped reductions need chunks with groups', {
        loss: chunk.loss,
        batch: chunk.batch,
        hint: "Pass `by: 'column'` to the loss operator, e.g. crossEntropy({ by: 'epoch' }).",
      });
    }
    const touched: GroupKey[] = [];
    for (const g of chunk.groups) {
      let s = this.#states.get(g.key);
      if (s === undefined) {
        s = createState(g.state.loss, g.state.dtype);
        this.#states.set(g.key, s);
      }
      mergeInto(s, g.state);
      if (!touched.includes(g.key)) touched.push(g.key);
    }
    return touched;
  }

  value(key: GroupKey, reduction: StateReduction): GroupValue {
    const s = this.#states.get(key)!;
    return { key, value: finalize(s, reduction), rows: s.rows };
  }

  keys(): IterableIterator<GroupKey> {
    return this.#states.keys();
  }
}
