import { LossError, type StateReduction } from '@lossflow/core';
import type { GroupKey, GroupValue, LossChunk } from '../chunks/LossChunk.js';
import { RowShapeCheck } from '../chunks/rowShapes.js';
import { StateAccumulator } from './StateAccumulator.js';

/** Per-key running states, in the order keys first appear; shared by the grouped reductions. */
export class GroupAccumulator {
  readonly #groups = new Map<GroupKey, { total: StateAccumulator; rows: number }>();
  readonly #shapes = new RowShapeCheck();

  /** Merges a chunk's group states; returns the keys it touched, in order. */
  add(chunk: LossChunk): GroupKey[] {
    if (chunk.groups === undefined) {
      throw new LossError('INVALID_OPTION', 'grouped reductions need chunks with groups', {
        loss: chunk.loss,
        batch: chunk.batch,
        hint: "Pass `by: 'column'` to the loss operator, e.g. crossEntropy({ by: 'epoch' }).",
      });
    }
    this.#shapes.check(chunk);
    const touched: GroupKey[] = [];
    for (const g of chunk.groups) {
      let group = this.#groups.get(g.key);
      if (group === undefined) {
        group = { total: new StateAccumulator(), rows: 0 };
        this.#groups.set(g.key, group);
      }
      group.total.add(g.state);
      group.rows += g.state.rows;
      if (!touched.includes(g.key)) touched.push(g.key);
    }
    return touched;
  }

  value(key: GroupKey, reduction: StateReduction): GroupValue {
    const group = this.#groups.get(key)!;
    return { key, value: group.total.value(reduction), rows: group.rows };
  }

  keys(): IterableIterator<GroupKey> {
    return this.#groups.keys();
  }
}
