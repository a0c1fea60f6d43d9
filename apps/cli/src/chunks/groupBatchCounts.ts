import type { GroupKey } from '@lossflow/rx';
import { reduce as fold, type OperatorFunction } from 'rxjs';

/** A loss or metric chunk: one batch's rows, with `by` split into groups. */
interface GroupedChunk {
  readonly groups: readonly { readonly key: GroupKey }[] | undefined;
}

/**
 * Per group key, how many chunks (batches) held rows of it: a group's `batches` in the results,
 * the same for a loss and a metric of one pass.
 */
export function groupBatchCounts<C extends GroupedChunk>(): OperatorFunction<C, Map<GroupKey, number>> {
  return fold((counts: Map<GroupKey, number>, chunk: C) => {
    // A key listed once per chunk, but counted once per batch whatever the chunk lists.
    const seen = new Set<GroupKey>();
    for (const g of chunk.groups ?? []) {
      if (seen.has(g.key)) continue;
      seen.add(g.key);
      counts.set(g.key, (counts.get(g.key) ?? 0) + 1);
    }
    return counts;
  }, new Map<GroupKey, number>());
}
