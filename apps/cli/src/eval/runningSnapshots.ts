import type { StateReduction } from '@lossflow/core';
import { type GroupValue, type LossChunk, running, runningGroups } from '@lossflow/rx';
import { connect, EMPTY, ignoreElements, map, merge, type OperatorFunction, tap } from 'rxjs';

/** The running values right after one batch: the overall value and those of the groups it touched. */
export interface RunningSnapshot {
  readonly chunk: LossChunk;
  /** The loss over every row so far. */
  readonly total: number;
  /** Rows counted so far. */
  readonly rows: number;
  /** The running value of each group the batch touched, in order (empty without `by`). */
  readonly groups: readonly GroupValue[];
}

/**
 * Pairs `@lossflow/rx`'s `running` and `runningGroups` values with the chunk they follow, one
 * snapshot per batch, so the caller knows the batch (and its step column) a running value belongs to.
 */
export function runningSnapshots(
  reduction: StateReduction,
  grouped: boolean,
): OperatorFunction<LossChunk, RunningSnapshot> {
  return connect((chunks) => {
    let total = Number.NaN;
    let rows = 0;
    let groups: GroupValue[] = [];
    // A multicast notifies its subscribers in subscription order and `merge` subscribes in argument
    // order, so for each chunk both reductions have run before the last branch emits its snapshot.
    return merge(
      chunks.pipe(
        running(reduction),
        tap((v) => {
          total = v;
        }),
        ignoreElements(),
      ),
      grouped
        ? chunks.pipe(
            runningGroups(reduction),
            tap((g) => groups.push(g)),
            ignoreElements(),
          )
        : EMPTY,
      chunks.pipe(
        map((chunk): RunningSnapshot => {
          rows += chunk.rows;
          const snapshot = { chunk, total, rows, groups };
          groups = [];
          return snapshot;
        }),
      ),
    );
  });
}
