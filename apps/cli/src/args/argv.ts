import { UsageError } from '../errors/UsageError.js';
import { didYouMean } from './didYouMean.js';

/** How one long flag (`--name`) takes its value. */
export interface FlagSpec {
  /** `'string'` flags take a value (`--by epoch` or `--by=epoch`); `'boolean'` flags take none. */
  readonly type: 'string' | 'boolean';
  /** A one-letter alias (`-q`). */
  readonly short?: string;
}

/** One flag occurrence, in command-line order (the order matters: loss options scope to the preceding `--loss`). */
export interface FlagToken {
  readonly name: string;
  /** The value of a string flag; `true` for a boolean flag. */
  readonly value: string | true;
}

/** A command line split into flags (in order) and positional arguments. */
export interface ParsedArgv {
  readonly flags: readonly FlagToken[];
  readonly positionals: readonly string[];
}

/**
 * Splits a command's arguments by `specs`. Unlike `node:util`'s `parseArgs`, a string flag takes the
 * next argument even when it starts with a single dash, so `--ignore-index -100` and `--margin -0.5`
 * work as people type them; and flags stay in order, so options can follow the `--loss` they belong to.
 *
 * @throws {UsageError} for an unknown flag (with the closest known one), a missing value, or a value given to a boolean flag.
 */
export function parseArgv(
  args: readonly string[],
  specs: Readonly<Record<string, FlagSpec>>,
  command: string,
): ParsedArgv {
  const flags: FlagToken[] = [];
  const positionals: string[] = [];
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs))
    if (spec.short !== undefined) shorts.set(spec.short, name);

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      // A loop, not push(...rest): a spread of one argument per path overflows the call stack for
      // a glob of a few hundred thousand files.
      for (let j = i + 1; j < args.length; j++) positionals.push(args[j]!);
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      const long = shorts.get(arg.slice(1));
      if (long === undefined) throw unknownFlag(arg, specs, command);
      name = long;
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = specs[name];
    if (spec === undefined) throw unknownFlag(`--${name}`, specs, command);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value (got '${arg}').`, command);
      flags.push({ name, value: true });
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`--${name} needs a value.`, command);
      }
      value = next;
      i++;
    }
    flags.push({ name, value });
  }
  return { flags, positionals };
}

/** The value of the last occurrence of a string flag, or undefined. */
export function lastValue(parsed: ParsedArgv, name: string): string | undefined {
  for (let i = parsed.flags.length - 1; i >= 0; i--) {
    const f = parsed.flags[i]!;
    if (f.name === name && typeof f.value === 'string') return f.value;
  }
  return undefined;
}

/** Whether a boolean flag was given. */
export function hasFlag(parsed: ParsedArgv, name: string): boolean {
  return parsed.flags.some((f) => f.name === name);
}

function unknownFlag(flag: string, specs: Readonly<Record<string, FlagSpec>>, command: string): UsageError {
  const known = Object.keys(specs).map((n) => `--${n}`);
  const guess = didYouMean(flag, known);
  const hint = guess !== undefined ? ` Did you mean ${guess}?` : '';
  return new UsageError(`unknown flag ${flag} for 'lossflow ${command}'.${hint}`, command);
}

/** Whether `-h` or `--help` appears before any `--`: help wins over every other argument, valid or not. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}
