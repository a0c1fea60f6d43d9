import type { GroupKey, GroupValue } from '@lossflow/rx';
import { outputKey, outputNumber } from '@lossflow/rx';
import type { EvalPlan } from '../args/evalArgs.js';
import type { DisplayKey } from '../eval/displayKey.js';
import type { RunningSnapshot } from '../eval/runningSnapshots.js';
import { optionsField } from './recordLabels.js';
import type { ResultRecord } from './resultRecords.js';

/** `--every N`: the running values of the groups touched in the last N batches, and the total, every N batches. */
export class RunningRecords {
  readonly #n: number;
  readonly #keyOf: (key: GroupKey) => DisplayKey;
  readonly #touched = new Map<number, Map<GroupKey, GroupValue>>();
  readonly #labels: readonly string[] | undefined;

  /**
   * @param keyOf the key the outputs show for a group's key (see `GroupKeys.keyOf`)
   * @param labels each loss's `options` field (see `recordLabels`; none in most runs)
   */
  constructor(n: number, keyOf: (key: GroupKey) => DisplayKey = (k) => k, labels?: readonly string[]) {
    this.#n = n;
    this.#keyOf = keyOf;
    this.#labels = labels;
  }

  add(plan: EvalPlan, loss: number, snapshot: RunningSnapshot): ResultRecord[] {
    let touched = this.#touched.get(loss);
    if (touched === undefined) {
      touched = new Map();
      this.#touched.set(loss, touched);
    }
    for (const g of snapshot.groups) touched.set(g.key, g);
    const batches = snapshot.chunk.batch + 1;
    if (batches % this.#n !== 0) return [];
    const selection = plan.losses[loss]!;
    const base = {
      kind: 'running' as const,
      loss: selection.entry.name,
      reduction: selection.reduction,
      ...optionsField(this.#labels?.[loss]),
      batches,
    };
    const out: ResultRecord[] = [...touched.values()].map((g) => ({
      ...base,
      key: outputKey(this.#keyOf(g.key)),
      value: outputNumber(g.value),
      rows: g.rows,
    }));
    out.push({ ...base, key: null, value: outputNumber(snapshot.total), rows: snapshot.rows });
    touched.clear();
    return out;
  }
}
