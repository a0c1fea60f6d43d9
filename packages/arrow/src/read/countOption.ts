import { ArrowReadError } from '../errors/ArrowReadError.js';

/**
 * The most threads a reader starts. More than this is never faster (each thread holds a batch and
 * its own decoder memory, and a machine rarely has more cores), and far more runs the process out
 * of memory before the first batch: such a count is a mistake, so it is refused, not capped.
 */
export const MAX_THREADS = 256;

/**
 * Checks a count option (`threads`, `inFlight`, `limit`): `undefined` (the default), or a whole
 * number from `min` to `max`. Anything else (NaN, 2.5, -1, Infinity, a string) is
 * `INVALID_OPTION` naming the option, so a reader never rounds, clamps or ignores a count.
 *
 * @example
 * countOption('limit', options.limit, 0); // throws for -1, 2.5, NaN
 */
export function countOption(
  name: string,
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const range =
    max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new ArrowReadError('INVALID_OPTION', `the option '${name}' is ${shown}, which is not ${range}`, {
    hint:
      name === 'threads'
        ? `Pass threads as ${range} (at most ${MAX_THREADS}: about one per core is fastest).`
        : name === 'limit'
          ? 'Pass limit as a whole number of rows ≥ 0, or leave it out to read every row.'
          : `Pass ${name} as ${range}, or leave it out for the default.`,
  });
}
