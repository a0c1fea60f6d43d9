import type { FlagSpec } from './argv.js';
import { UsageError } from './UsageError.js';

/** How a core option is written on the command line. */
export interface LossOptionFlag {
  /** The flag without dashes (`label-smoothing`). */
  readonly flag: string;
  /** The core option key (`labelSmoothing`). */
  readonly key: string;
  /** `numbers` is a comma-separated list (`0.5,1,2`); a boolean has a `--no-…` twin; a choice is one of `choices`. */
  readonly kind: 'number' | 'integer' | 'numbers' | 'boolean' | 'choice';
  readonly choices?: readonly string[];
  /** One line for `--help`. */
  readonly describe: string;
}

/** The flags of every core option, named as torch names the argument, in kebab case. */
export const LOSS_OPTION_FLAGS: readonly LossOptionFlag[] = [
  { flag: 'weight', key: 'weight', kind: 'numbers', describe: 'class (or element) weights, e.g. 0.5,1,2' },
  {
    flag: 'ignore-index',
    key: 'ignoreIndex',
    kind: 'integer',
    describe: 'target value to ignore (torch: -100)',
  },
  { flag: 'label-smoothing', key: 'labelSmoothing', kind: 'number', describe: 'label smoothing in [0, 1]' },
  {
    flag: 'pos-weight',
    key: 'posWeight',
    kind: 'numbers',
    describe: 'weight of positive examples per class',
  },
  {
    flag: 'log-input',
    key: 'logInput',
    kind: 'boolean',
    describe: 'input is the log of the rate (default on)',
  },
  {
    flag: 'full',
    key: 'full',
    kind: 'boolean',
    describe: 'add the constant terms',
  },
  { flag: 'eps', key: 'eps', kind: 'number', describe: 'numerical floor' },
  { flag: 'log-target', key: 'logTarget', kind: 'boolean', describe: 'target is log-probabilities' },
  { flag: 'beta', key: 'beta', kind: 'number', describe: 'where the loss turns from quadratic to linear' },
  { flag: 'delta', key: 'delta', kind: 'number', describe: 'where the loss turns from quadratic to linear' },
  { flag: 'margin', key: 'margin', kind: 'number', describe: 'the margin' },
  { flag: 'p', key: 'p', kind: 'number', describe: 'norm degree (multi-margin: 1 or 2)' },
  { flag: 'swap', key: 'swap', kind: 'boolean', describe: 'use the smaller of d(a, n) and d(p, n)' },
  { flag: 'blank', key: 'blank', kind: 'integer', describe: 'class index of the blank' },
  { flag: 'zero-infinity', key: 'zeroInfinity', kind: 'boolean', describe: 'zero infinite losses' },
  {
    flag: 'distance',
    key: 'distanceFunction',
    kind: 'choice',
    choices: ['pairwise', 'cosine'],
    describe: 'the distance: pairwise (L2, the default) or cosine',
  },
];

const byFlag = new Map(LOSS_OPTION_FLAGS.map((f) => [f.flag, f]));
const byKey = new Map(LOSS_OPTION_FLAGS.map((f) => [f.key, f]));

/** The argv specs of all option flags, booleans with their `--no-…` twins. */
export function lossOptionFlagSpecs(): Record<string, FlagSpec> {
  const specs: Record<string, FlagSpec> = {};
  for (const f of LOSS_OPTION_FLAGS) {
    if (f.kind === 'boolean') {
      specs[f.flag] = { type: 'boolean' };
      specs[`no-${f.flag}`] = { type: 'boolean' };
    } else {
      specs[f.flag] = { type: 'string' };
    }
  }
  return specs;
}

/**
 * The core option a flag token sets (`--no-swap` → `['swap', false]`), or undefined when the flag
 * is not a loss option.
 *
 * @throws {UsageError} when the value is not of the option's kind.
 */
export function lossOptionOf(flag: string, raw: string | true): [key: string, value: unknown] | undefined {
  const negated = flag.startsWith('no-') ? byFlag.get(flag.slice(3)) : undefined;
  if (negated?.kind === 'boolean') return [negated.key, false];
  const f = byFlag.get(flag);
  if (f === undefined) return undefined;
  if (f.kind === 'boolean') return [f.key, true];
  if (f.kind === 'choice') return [f.key, choice(f, String(raw))];
  return [f.key, parseValue(`--${f.flag}`, f.kind, String(raw))];
}

/** The flag users type for a core option key (`labelSmoothing` → `--label-smoothing`). */
export function flagOfKey(key: string): string {
  const f = byKey.get(key);
  return f === undefined ? `--option ${key}=…` : `--${f.flag}`;
}

/**
 * A generic `--option key=value`: the key in camelCase or kebab case, the value a number, a
 * boolean, a comma-separated number list or JSON.
 *
 * @throws {UsageError} when there is no `=`.
 */
export function genericOption(raw: string): [key: string, value: unknown] {
  const eq = raw.indexOf('=');
  if (eq <= 0)
    throw new UsageError(`--option takes key=value (got '${raw}'), e.g. --option label-smoothing=0.1.`);
  const key = raw.slice(0, eq).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const text = raw.slice(eq + 1);
  const known = byKey.get(key);
  if (known?.kind === 'choice') return [key, choice(known, text)];
  if (known !== undefined && known.kind !== 'boolean')
    return [key, parseValue(`--option ${key}`, known.kind, text)];
  if (text === 'true' || text === 'false') return [key, text === 'true'];
  try {
    return [key, JSON.parse(text)];
  } catch {
    return [key, text];
  }
}

// Decimal notation only: `Number` would also read `0x2`, `0b10`, `1e3` as integers and
// `0x1p3`-like surprises, which nobody types on purpose.
const DECIMAL_INTEGER = /^[+-]?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A flag's text as a number, an integer, or a list of numbers, written in decimal: an integer as
 * digits only (not `1e3`, `0x2`, `2.0`) and within ±2^53, a number as digits with an optional point
 * and exponent (`0.1`, `1e-3`).
 *
 * @throws {UsageError} naming the flag and showing an example of a valid value.
 */
export function parseValue(
  flag: string,
  kind: 'number' | 'integer' | 'numbers',
  text: string,
): number | number[] {
  if (kind === 'numbers') {
    const parts = text.split(',').map((s) => s.trim());
    const values = parts.map(Number);
    if (parts.some((s) => !DECIMAL_NUMBER.test(s)) || values.some((v) => !Number.isFinite(v))) {
      throw new UsageError(
        `${flag} takes a comma-separated list of numbers, e.g. ${flag} 0.5,1,2 (got '${text}').`,
      );
    }
    return values;
  }
  const trimmed = text.trim();
  if (kind === 'integer') {
    const value = Number(trimmed);
    if (!DECIMAL_INTEGER.test(trimmed) || !Number.isSafeInteger(value)) {
      throw new UsageError(
        `${flag} takes an integer in decimal digits, e.g. ${flag} 2 (got '${text}'${DECIMAL_INTEGER.test(trimmed) ? ', too large' : ''}).`,
      );
    }
    return value;
  }
  const value = Number(trimmed);
  if (!DECIMAL_NUMBER.test(trimmed) || !Number.isFinite(value)) {
    throw new UsageError(`${flag} takes a decimal number, e.g. ${flag} 0.5 (got '${text}').`);
  }
  return value;
}

function choice(f: LossOptionFlag, text: string): string {
  const choices = f.choices ?? [];
  if (!choices.includes(text))
    throw new UsageError(`--${f.flag} takes ${choices.join(' or ')} (got '${text}').`);
  return text;
}
