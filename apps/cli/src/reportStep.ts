import { ArrowReadError, readBatches } from '@lossflow/arrow';
import type { EvalPlan } from './evalArgs.js';

/**
 * The column the report plots running values against: `--step`, else `step` when the first file
 * has one, else none (the chart counts rows). Reads only the first file's schema (an IPC stream's
 * first message, an IPC file's footer, a Parquet footer).
 *
 * @throws {ArrowReadError} `MISSING_COLUMN` when `--step` names a column the file does not have.
 * @example
 * const step = await reportStep(plan); // 'step' for a training log with a step column
 */
export async function reportStep(plan: EvalPlan): Promise<string | undefined> {
  const file = plan.files[0]!;
  const reader = readBatches(file, { allowMissingEndOfStream: plan.allowMissingEndOfStream });
  let names: string[];
  try {
    names = (await reader.schema()).fields.map((f) => f.name);
  } finally {
    await reader.close();
  }
  if (plan.step === undefined) return names.includes('step') ? 'step' : undefined;
  if (names.includes(plan.step)) return plan.step;
  throw new ArrowReadError('MISSING_COLUMN', `the step column '${plan.step}' is not in the data`, {
    file,
    column: plan.step,
    hint: `Pass --step with one of: ${names.join(', ')}.`,
  });
}
