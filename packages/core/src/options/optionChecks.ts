import { LossError } from '../LossError.js';
import { showValue } from '../tensor/tensor.js';

/**
 * A numeric option: `fallback` when absent, otherwise a number (not NaN) accepted by `valid`.
 * `expected` completes "expected …" in the error.
 *
 * @example
 * const beta = numberOption('smoothL1Loss', 'beta', options.beta, 1, (b) => b >= 0, 'a number ≥ 0');
 */
export function numberOption(
  loss: string,
  name: string,
  value: unknown,
  fallback: number,
  valid: (v: number) => boolean = () => true,
  expected = 'a number',
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || !valid(value)) {
    throw new LossError('INVALID_OPTION', `${name} must be ${expected}, got ${showValue(value)}`, {
      loss,
      argument: name,
      hint: `Pass ${name} as ${expected} (default ${fallback}).`,
    });
  }
  return value;
}

/**
 * A boolean option: `fallback` when absent.
 *
 * @example
 * const full = booleanOption('poissonNllLoss', 'full', options.full, false);
 */
export function booleanOption(loss: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new LossError('INVALID_OPTION', `${name} must be true or false, got ${showValue(value)}`, {
      loss,
      argument: name,
      hint: `Pass ${name} as a boolean (default ${fallback}).`,
    });
  }
  return value;
}
