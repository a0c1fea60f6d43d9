import { GroupBudget, type GroupKey } from '@lossflow/rx';
import type { EvalPlan } from '../args/evalArgs.js';

/**
 * The `--by` group budget of a pass: `--max-groups`, else what fits the group memory budget (the
 * pass's own, and a distributed run's coordinator's, which fails the run before merging).
 */
export function groupBudget(
  plan: EvalPlan,
  describeKey: ((key: GroupKey) => string) | undefined,
): GroupBudget {
  const limit = plan.maxGroups === undefined ? '' : ` (${plan.maxGroups})`;
  return new GroupBudget({
    maxGroups: plan.maxGroups,
    by: plan.by,
    describeKey,
    hint: `Raise --max-groups${limit} if the memory is there, group by a coarser key, or write each row's loss with --per-row (without --by) and aggregate it elsewhere.`,
  });
}
