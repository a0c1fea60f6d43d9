import { METRICS, type MetricDescriptor } from '@lossflow/core';
import { kebabCase, LOSSES } from '../losses/lossRegistry.js';
import { METRIC_OPTION_FLAGS } from '../metrics/metricOptionFlags.js';

/**
 * Library options the CLI sets with flags of its own (not loss or metric options): the libraries'
 * hints name them (`nulls: 'skip'`, `allowMissingEndOfStream: true`), a CLI user types the flag.
 */
const RUN_OPTION_FLAGS: Readonly<Record<string, string>> = {
  nulls: 'nulls',
  allowMissingEndOfStream: 'allow-missing-end-of-stream',
  maxGroups: 'max-groups',
  perRow: 'per-row',
  threads: 'threads',
  reduction: 'reduction',
};

/**
 * Library option key → the flag without dashes, for every option a command line can set: a loss
 * option's flag is named as `optionFlagOf` (args) names it, from the registry (computed here, as
 * error wording must not depend on argument parsing).
 */
const FLAG_OF_KEY: ReadonlyMap<string, string> = new Map([
  ...Object.entries(METRIC_OPTION_FLAGS).map(([flag, o]) => [o.key, flag] as const),
  ...LOSSES.flatMap((e) =>
    Object.entries(e.descriptor.options)
      .filter(([key, o]) => key !== 'reduction' && o.commandLine !== false)
      .map(([key, o]) => [key, o.flag ?? kebabCase(key)] as const),
  ),
  ...Object.entries(RUN_OPTION_FLAGS),
]);

/** Library function names (`binaryCrossEntropyWithLogits`) → how the CLI selects them. */
const SELECTOR_OF_NAME: ReadonlyMap<string, string> = new Map([
  ...LOSSES.map((e) => [e.core, `--loss ${e.name}`] as const),
  ...(Object.values(METRICS) as MetricDescriptor[]).map((m) => [m.name, `--metric ${m.cliName}`] as const),
]);

/**
 * Library hints about the typed arrays a caller passes, and what a command-line user does instead:
 * the arrays are the log's columns.
 */
const ARRAY_HINTS: readonly (readonly [string, string])[] = [
  [
    'Pass a Float32Array or Float64Array (or plain numbers).',
    'Give a float32 or float64 column (cast it where the log is written).',
  ],
  [
    'Pass an Int32Array or BigInt64Array (or whole numbers).',
    'Give an int32 or int64 column (cast it where the log is written).',
  ],
  [
    'Pass lengths as an Int32Array, a BigInt64Array or whole numbers.',
    'Give the lengths as an int32 or int64 column (cast it where the log is written).',
  ],
];

/** `(--flag / KEY: value)`: a hint naming the flag beside the library option, for either reader. */
const FLAG_BESIDE_SETTING = /\((--[a-z][a-z-]*) \/ `?[A-Za-z]+: (?:'[^']*'|true|false)`?\)/g;

/** `KEY: 'value'` / `KEY: true` in a hint (perhaps in backticks): how a library caller sets it. */
const OPTION_SETTING = /`?\b([A-Za-z]+): (?:'([^']*)'|(true|false))`?/g;
/** `Pass KEY as …`: the option checks' wording of a bad value's fix. */
const PASS_AS = /\bPass ([A-Za-z]+) as /g;
/** A camelCase word: an option key or a function name, never an English word. */
const CAMEL_WORD = /\b[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b/g;

/**
 * The flag a command-line user types for library option `key` (`ignoreIndex` → `--ignore-index`),
 * or undefined when no flag sets it.
 */
export function flagOfOption(key: string): string | undefined {
  const flag = FLAG_OF_KEY.get(key);
  return flag === undefined ? undefined : `--${flag}`;
}

/**
 * A library hint (or option error) worded for the CLI: the library's option settings and names
 * become the flags that set them (`pass nulls: 'skip'` → `pass --nulls skip`, `Pass labelSmoothing
 * as a number` → `Give --label-smoothing a number`, `ignoreIndex` → `--ignore-index`), and its
 * function names the `--loss` / `--metric` that selects them; a hint naming a flag beside the
 * library option (`(--follow / wait: true)`) keeps the flag, and a hint about the typed arrays to
 * pass speaks of the log's columns. Anything else is kept as it is.
 *
 * @example
 * flagWording("Fill or drop the nulls, or pass nulls: 'skip' to leave such rows out.");
 * // "Fill or drop the nulls, or pass --nulls skip to leave such rows out."
 */
export function flagWording(text: string): string {
  let worded = text;
  for (const [library, cli] of ARRAY_HINTS) worded = worded.replaceAll(library, cli);
  return worded
    .replace(FLAG_BESIDE_SETTING, '($1)')
    .replace(OPTION_SETTING, (whole, key: string, value: string | undefined, bool: string | undefined) => {
      const flag = flagOfOption(key);
      if (flag === undefined) return whole;
      if (bool === 'true') return flag;
      if (bool === 'false') return `--no-${flag.slice(2)}`;
      return `${flag} ${value}`;
    })
    .replace(PASS_AS, (whole, key: string) => {
      const flag = flagOfOption(key);
      return flag === undefined ? whole : `Give ${flag} `;
    })
    .replace(CAMEL_WORD, (word) => flagOfOption(word) ?? SELECTOR_OF_NAME.get(word) ?? word);
}
