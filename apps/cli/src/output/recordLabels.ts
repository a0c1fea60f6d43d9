import type { EvalPlan } from '../args/evalArgs.js';
import { optionSummary } from './optionSummary.js';

/**
 * The `options` field of the CSV / NDJSON records of each `--loss` and `--metric`, in the plan's
 * order. Why: the records name a loss or metric only by its name, so
 * `--metric top-k-accuracy --k 2 --metric top-k-accuracy --k 3` gave two lines that told their
 * values apart only by their order. A run with a name given twice labels every record with its
 * options and the columns given for it (`k=2`, `label-smoothing=0.1 input=pred`), `defaults` when
 * none.
 */
export interface RecordLabels {
  readonly losses: readonly string[];
  readonly metrics: readonly string[];
}

/**
 * The labels of `plan`'s losses and metrics (see {@link RecordLabels}), or undefined when no two
 * of them share a name (the records then have no `options`).
 *
 * @example
 * recordLabels(plan); // { losses: ['defaults', 'label-smoothing=0.1'], metrics: [] } for two cross-entropy losses
 */
export function recordLabels(plan: Pick<EvalPlan, 'losses' | 'metrics'>): RecordLabels | undefined {
  const metrics = plan.metrics ?? [];
  const names = [...plan.losses.map((l) => l.entry.name), ...metrics.map((m) => m.entry.cliName)];
  if (new Set(names).size === names.length) return undefined;
  return { losses: plan.losses.map(label), metrics: metrics.map(label) };
}

function label(selection: {
  readonly options: Readonly<Record<string, unknown>>;
  readonly columns: Readonly<Record<string, string>>;
}): string {
  // Column roles (input, target) are never option names.
  return optionSummary({ ...selection.options, ...selection.columns }) || 'defaults';
}

/** `{ options: label }`, or nothing for an undefined label: spread into a record after `reduction`. */
export function optionsField(label: string | undefined): { options?: string } {
  return label === undefined ? {} : { options: label };
}
