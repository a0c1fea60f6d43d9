import { LossError } from '../LossError.js';
import { showValue } from '../tensor/tensor.js';

/**
 * What the scores are: `'logits'` (the default; softmax over classes for class indices, sigmoid for
 * 0/1 targets) or `'probabilities'` (used as they are, checked to lie in [0, 1]).
 */
export type ScoreKind = 'logits' | 'probabilities';

/** How per-class (per-label) values are combined, as scikit-learn's `average=` (`'none'` for `None`). */
export type Average = 'micro' | 'macro' | 'weighted' | 'none';

/**
 * A string option that must be one of `allowed` (`fallback` when absent).
 *
 * @example
 * const average = choiceOption('f1', 'average', options.average, ['micro', 'macro'], 'macro');
 */
export function choiceOption<T extends string>(
  metric: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new LossError(
      'INVALID_OPTION',
      `${name} must be one of ${show(allowed)}, got ${showValue(value)}`,
      {
        loss: metric,
        argument: name,
        hint: `Pass ${name} as ${show(allowed)} (default '${fallback}').`,
      },
    );
  }
  return value as T;
}

/**
 * A whole-number option in `[min, max]` (`fallback` when absent).
 *
 * @example
 * const k = integerOption('topKAccuracy', 'k', options.k, 5, 1, 2 ** 31 - 1);
 */
export function integerOption(
  metric: string,
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LossError(
      'INVALID_OPTION',
      `${name} must be a whole number in [${min}, ${max}], got ${showValue(value)}`,
      {
        loss: metric,
        argument: name,
        hint: `Pass ${name} as a whole number (default ${fallback}).`,
      },
    );
  }
  return value;
}

const show = (allowed: readonly string[]): string => allowed.map((a) => `'${a}'`).join(', ');

/** The scoreKind option (`scores`), default `'logits'`. */
export function scoresOption(metric: string, value: unknown): ScoreKind {
  return choiceOption<ScoreKind>(metric, 'scores', value, ['logits', 'probabilities'], 'logits');
}

/** An `ignoreIndex` as a state param: a number, or the decimal string of a bigint beyond 2^53. */
export function ignoreParam(ignoreIndex: number | bigint): number | string {
  return typeof ignoreIndex === 'bigint' ? ignoreIndex.toString() : ignoreIndex;
}

/** Entries a metric state may hold at most (16 Mi float64 = 128 MiB): bigger ones are refused. */
export const MAX_STATE_ENTRIES = 2 ** 24;

/**
 * Throws `INVALID_OPTION` when a state of `entries` numbers would exceed {@link MAX_STATE_ENTRIES}.
 */
export function checkStateSize(metric: string, entries: number, what: string, hint: string): void {
  if (entries > MAX_STATE_ENTRIES) {
    throw new LossError(
      'INVALID_OPTION',
      `the state would hold ${entries} counts (${what}), more than the ${MAX_STATE_ENTRIES} allowed`,
      { loss: metric, hint },
    );
  }
}
