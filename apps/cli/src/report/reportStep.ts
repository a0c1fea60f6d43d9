import { ArrowReadError, tensorLayout } from '@lossflow/arrow';
import { readFile as readBatches } from '@lossflow/arrow/node';
import type { Field } from 'apache-arrow';
import type { EvalPlan } from '../args/evalArgs.js';
import { isRegularFile } from '../eval/regularFile.js';
import { STDIN } from '../eval/standardInput.js';

/**
 * The column the report plots running values against: `--step`, else `step` when every file has
 * one holding a number per row, else none (the chart counts rows). Reads only each file's schema
 * (an IPC stream's first message, an IPC file's footer, a Parquet footer) of regular files: a
 * pipe or device is not opened here, as the evaluation's one read is all it gives.
 *
 * With `follow` (`--follow`), a file still being created (no schema written yet) is waited for, as
 * the evaluation waits for it; when `follow.stop` aborts meanwhile, the chart counts rows.
 *
 * @throws {ArrowReadError} when `--step` names a column a file lacks (`MISSING_COLUMN`) or one
 *   that does not hold a number per row (`BAD_COLUMN_TYPE`).
 * @example
 * const step = await reportStep(plan); // 'step' for a training log with a step column
 */
export async function reportStep(
  plan: EvalPlan,
  follow?: { readonly stop: AbortSignal },
): Promise<string | undefined> {
  const wanted = plan.step ?? 'step';
  for (const file of plan.files) {
    // A pipe or device can be read once, by the evaluation: a --step given is checked there (a
    // missing column is MISSING_COLUMN then); without --step such an input is charted by rows.
    if (file === STDIN || !isRegularFile(file)) {
      if (plan.step === undefined) return undefined;
      continue;
    }
    const reader = readBatches(file, {
      allowMissingEndOfStream: plan.allowMissingEndOfStream,
      ...(follow === undefined ? {} : { follow: { stop: follow.stop } }),
    });
    let fields: Field[];
    try {
      fields = (await reader.schema()).fields;
    } catch (e) {
      // Interrupted before the file had a schema: the evaluation reports the (incomplete) run.
      if (follow?.stop.aborted === true) return undefined;
      throw e;
    } finally {
      await reader.close();
    }
    const field = fields.find((f) => f.name === wanted);
    const layout = field === undefined ? undefined : tensorLayout(field);
    const numeric = layout?.usable === true && layout.rowShape.length === 0;
    if (numeric) continue;
    if (plan.step === undefined) return undefined;
    throw field === undefined
      ? new ArrowReadError('MISSING_COLUMN', `the step column '${wanted}' is not in the data`, {
          file,
          column: wanted,
          hint: `Pass --step with one of: ${fields.map((f) => f.name).join(', ')}.`,
        })
      : new ArrowReadError(
          'BAD_COLUMN_TYPE',
          `the step column '${wanted}' (${String(field.type)}) does not hold a number per row`,
          {
            file,
            column: wanted,
            hint: 'Pass --step with an integer or floating-point column, such as a training step or epoch.',
          },
        );
  }
  return wanted;
}
