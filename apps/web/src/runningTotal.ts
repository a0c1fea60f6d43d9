import type { StateReduction } from '@lossflow/core';
import { type GroupValue, type LossChunk, running } from '@lossflow/rx';
import { defer, map, type OperatorFunction, tap } from 'rxjs';

/** The key of the one curve a run without `--by` draws: all rows read so far. */
export const TOTAL_KEY = 'all';

/**
 * After every batch, the running loss over all rows so far (rx's `running`, so its last value is
 * the run's result) as the one group {@link TOTAL_KEY}: the live view of a run without a key,
 * whose chunks carry no groups for `runningGroups` to follow.
 *
 * @example
 * chunks.pipe(runningTotal('mean')).subscribe(({ value, rows }) => curve.push(rows, value));
 */
export function runningTotal(reduction: StateReduction): OperatorFunction<LossChunk, GroupValue> {
  return (source) =>
    defer(() => {
      let rows = 0;
      return source.pipe(
        tap((chunk) => {
          rows += chunk.rows;
        }),
        running(reduction),
        map((value): GroupValue => ({ key: TOTAL_KEY, value, rows })),
      );
    });
}
