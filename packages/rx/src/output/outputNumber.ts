import type { GroupKey } from '../chunks/LossChunk.js';

/** How the machine-readable outputs write a number JSON cannot hold: `Infinity`, `-Infinity`, `NaN`. */
export type NonFiniteWord = 'Infinity' | '-Infinity' | 'NaN';

/** A group's key as the outputs show it: a value, or one value per name of a key of several names. */
export type OutputKey = GroupKey | { readonly [name: string]: GroupKey };

/**
 * A number for the JSON, NDJSON and CSV outputs: itself when finite, else the word JavaScript and
 * Python's `float()` read back (`Infinity`, `-Infinity`, `NaN`). JSON has no such numbers and
 * `JSON.stringify` would print all three as `null`, so a diverged loss (torch: `inf`) would look
 * like a mean over no rows (`nan`).
 *
 * @example
 * outputNumber(Infinity); // 'Infinity'
 */
export function outputNumber(v: number): number | NonFiniteWord {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * A group's key for the outputs: numbers as {@link outputNumber}, strings as they are, and each
 * value of a key of several names (`{ "run": "a", "epoch": 3 }`) the same way.
 *
 * @example
 * outputKey(Number.NaN); // 'NaN'
 */
export function outputKey(key: OutputKey): OutputKey {
  if (typeof key === 'number') return outputNumber(key);
  if (typeof key === 'string') return key;
  return Object.fromEntries(
    Object.entries(key).map(([k, v]) => [k, typeof v === 'number' ? outputNumber(v) : v]),
  );
}
