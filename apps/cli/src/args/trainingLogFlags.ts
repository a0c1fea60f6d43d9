import type { TrainingLogOptions } from '@lossflow/arrow';
import { UsageError } from '../errors/UsageError.js';
import { type FlagSpec, lastValue, type ParsedArgv } from './argv.js';
import { parseValue } from './lossOptionFlags.js';

/** The synthetic log the demo uses unless told otherwise: 10 epochs × 100,000 rows × 100 classes. */
export const DEMO_LOG = { epochs: 10, rows: 100_000, classes: 100, seed: 1 } as const;

/** Flags of the synthetic training log, shared by `demo` and `generate`. */
export const TRAINING_LOG_FLAGS: Readonly<Record<string, FlagSpec>> = {
  rows: { type: 'string' },
  classes: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  'ignore-share': { type: 'string' },
  'batch-rows': { type: 'string' },
};

/**
 * The generator options from the flags, with the demo's defaults.
 *
 * @throws {UsageError} for a value that is not a positive whole number (or a share in [0, 1)).
 */
export function trainingLogOptions(parsed: ParsedArgv, command: string): TrainingLogOptions {
  const whole = (name: string, fallback: number | undefined, min: number): number | undefined => {
    const raw = lastValue(parsed, name);
    if (raw === undefined) return fallback;
    const n = parseValue(`--${name}`, 'integer', raw) as number;
    if (n < min)
      throw new UsageError(`--${name} takes a whole number of at least ${min} (got '${raw}').`, command);
    return n;
  };
  const options: TrainingLogOptions = {
    rows: whole('rows', DEMO_LOG.rows, 1)!,
    classes: whole('classes', DEMO_LOG.classes, 2)!,
    epochs: whole('epochs', DEMO_LOG.epochs, 1)!,
    seed: whole('seed', DEMO_LOG.seed, 0)!,
  };
  const batchRows = whole('batch-rows', undefined, 1);
  if (batchRows !== undefined) options.batchRows = batchRows;
  const share = lastValue(parsed, 'ignore-share');
  if (share !== undefined) {
    const x = parseValue('--ignore-share', 'number', share) as number;
    if (x < 0 || x >= 1)
      throw new UsageError(`--ignore-share takes a share in [0, 1) (got '${share}').`, command);
    options.ignoreShare = x;
  }
  return options;
}
