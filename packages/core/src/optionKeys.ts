import { LossError } from './LossError.js';
import { suggestOption } from './optionSuggestion.js';
import type { OptionDescriptor } from './registry/LossDescriptor.js';

/**
 * The option names of a loss, as data: the keys of `keys`, which the compiler checks are exactly
 * the keys of `O` (a `true` or an option description each), so adding an option to a loss's options type without listing it fails to build.
 *
 * @example
 * export const mseLossOptionKeys = optionKeys<MseLossOptions>({ reduction: true, weight: true });
 */
export function optionKeys<O>(
  keys: { readonly [K in keyof Required<O>]: true | OptionDescriptor },
): readonly (keyof O & string)[] {
  let list = listed.get(keys);
  if (list === undefined) {
    list = Object.freeze(Object.keys(keys));
    listed.set(keys, list);
  }
  return list as readonly (keyof O & string)[];
}

// One list per table, so a loss's `…OptionKeys` and its registry entry's `optionKeys` are the same array.
const listed = new WeakMap<object, readonly string[]>();

/**
 * Throws `INVALID_OPTION` for the first own key of `options` that is not in `known`, naming the
 * loss, the key and the option it probably meant (`ignore_index` → `ignoreIndex`), so a torch
 * spelling or a typo never silently computes the plain loss. A known key with the value
 * `undefined` is fine. Runs once per call (a few string comparisons), never per element.
 *
 * @example
 * checkOptionKeys('crossEntropy', { ignore_index: 2 }, crossEntropyOptionKeys); // throws: did you mean 'ignoreIndex'?
 */
export function checkOptionKeys(
  loss: string,
  options: object | undefined | null,
  known: readonly string[],
): void {
  if (options === undefined || options === null) return;
  for (const key in options) {
    if (!Object.hasOwn(options, key) || known.includes(key)) continue;
    throw unknownOptionError(loss, key, known);
  }
}

/**
 * The `INVALID_OPTION` error for an option `key` that `loss` does not take, with the likely
 * intended option (see {@link suggestOption}) and the list of its options in the hint.
 *
 * @example
 * throw unknownOptionError('mseLoss', 'weights', mseLossOptionKeys);
 */
export function unknownOptionError(
  loss: string,
  key: string,
  known: readonly string[],
  note?: string,
): LossError {
  const suggestion = suggestOption(key, known);
  const meant = suggestion === undefined ? '' : ` (did you mean '${suggestion.key}'?)`;
  const list = known.length === 0 ? 'it takes no options' : `its options are ${known.join(', ')}`;
  const why = note ?? suggestion?.note;
  return new LossError('INVALID_OPTION', `unknown option '${key}'${meant}`, {
    loss,
    argument: key,
    hint: `${suggestion === undefined ? `Remove '${key}'` : `Use '${suggestion.key}'`}: ${list}.${why === undefined ? '' : ` ${why}`}`,
  });
}
