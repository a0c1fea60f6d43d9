import type { OptionDescriptor } from '@lossflow/core';
import { UsageError } from '../errors/UsageError.js';
import { kebabCase, LOSSES } from '../losses/lossRegistry.js';
import type { FlagSpec } from './argv.js';

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

/**
 * The flag of a core option, from its description in the loss registry: named as torch names the
 * argument, in kebab case (or the option's own `flag`); a function option is a choice among its
 * `named` values. Undefined for options a command line cannot give (`commandLine: false`, the
 * `reduction`, which is `--reduction`).
 */
export function optionFlagOf(key: string, o: OptionDescriptor): LossOptionFlag | undefined {
  if (key === 'reduction' || o.commandLine === false) return undefined;
  const named = o.named === undefined ? undefined : Object.keys(o.named);
  const choices = o.choices ?? named;
  const kind = o.type === 'function' ? 'choice' : o.type;
  return {
    flag: o.flag ?? kebabCase(key),
    key,
    kind,
    ...(choices === undefined ? {} : { choices }),
    describe: o.describe,
  };
}

/**
 * The flags of every core option of the registry's losses, each once (the first loss to take it
 * describes it), in the order the losses list them.
 */
export const LOSS_OPTION_FLAGS: readonly LossOptionFlag[] = (() => {
  const flags = new Map<string, LossOptionFlag>();
  for (const e of LOSSES) {
    for (const [key, o] of Object.entries(e.descriptor.options)) {
      const f = optionFlagOf(key, o);
      if (f !== undefined && !flags.has(f.flag)) flags.set(f.flag, f);
    }
  }
  return [...flags.values()];
})();

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
