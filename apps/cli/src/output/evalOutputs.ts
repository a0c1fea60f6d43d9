import type { EvalPlan } from '../args/evalArgs.js';
import type { OutputRequest } from './outputTargets.js';

/** The output files an eval plan asks for (`--report`, `--per-row`), in the order they are checked. */
export function outputRequests(plan: EvalPlan): OutputRequest[] {
  return [
    ...(plan.report === undefined ? [] : [{ flag: '--report', what: 'the report', path: plan.report }]),
    ...(plan.perRow === undefined
      ? []
      : [{ flag: '--per-row', what: 'the per-row losses', path: plan.perRow }]),
  ];
}
