import { optionKeys } from '@lossflow/core';
import type { GroupBudget } from '../reduce/GroupBudget.js';

/** Options every loss operator takes besides the loss's own (core) options and its columns. */
export interface StreamOptions {
  /** Group states by the runs of this column's values (e.g. `'epoch'`), for `reduceGroups` / `runningGroups`. */
  by?: string;
  /** Attach the unreduced per-row losses to each chunk (for `perRowBatches`). */
  perRow?: boolean;
  /** A null in a selected column is an error (default) or drops the row (`'skip'`, counted in `skipped`). */
  nulls?: 'error' | 'skip';
  /**
   * A scalar column (e.g. `'step'`) whose values at the last row of each batch, and of each group
   * with `by`, the chunks carry as `steps`: what running values are plotted against. Works in
   * worker threads too (unlike the chunk's `source` batch).
   */
  step?: string;
  /**
   * With `by`: the budget whose bounds each batch's group states are charged to as they are built
   * (see `GroupBudget.batchLimits`), in worker threads too. A batch alone with more keys than the
   * budget then fails with `TOO_MANY_GROUPS` before building the state past it. Feed the same
   * budget the chunks (`addLoss`) to bound the keys of all batches together.
   */
  groupBudget?: GroupBudget;
}

/**
 * The keys of {@link StreamOptions}, from a table typed by it: adding a stream option without
 * listing it here (or listing one the type lacks) fails to compile, so the operators' split of
 * their flat options cannot drift from the type.
 */
export const STREAM_OPTION_KEYS: readonly (keyof StreamOptions)[] = optionKeys<StreamOptions>({
  by: true,
  perRow: true,
  nulls: true,
  step: true,
  groupBudget: true,
});
