import type { EvalPlan } from '../args/evalArgs.js';
import { kebabCase } from '../losses/lossRegistry.js';

/** The flag of a plan that named `column`, for a missing column's fix; undefined for a default. */
export function flagOfColumn(plan: EvalPlan, column: string): string | undefined {
  if (column === plan.by || plan.by?.split(',').includes(column)) return '--by';
  if (plan.report !== undefined && column === plan.step) return '--step';
  if (plan.perRow !== undefined && plan.keys.includes(column)) return '--keys';
  for (const loss of plan.losses) {
    for (const [role, name] of Object.entries(loss.columns))
      if (name === column) return `--${kebabCase(role)}`;
  }
  return undefined;
}
