import { LossError } from '../LossError.js';
import { suggestOption } from '../options/optionSuggestion.js';
import type { OptionDescriptor } from './LossDescriptor.js';

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
 * The own keys of an options argument (string, symbol and non-enumerable ones alike), after
 * checking it is `undefined` or a plain object (prototype `Object.prototype` or `null`): a class
 * instance's getters, inherited keys, a `Map` or a number would otherwise be read or ignored
 * inconsistently, so they are `INVALID_OPTION` "options must be a plain object". `undefined` has
 * no keys.
 *
 * @example
 * optionsOwnKeys('crossEntropy', { ignoreIndex: 2 }); // ['ignoreIndex']
 * optionsOwnKeys('crossEntropy', new Map()); // throws INVALID_OPTION
 */
export function optionsOwnKeys(loss: string, options: unknown): (string | symbol)[] {
  if (options === undefined) return [];
  if (typeof options === 'object' && options !== null) {
    const proto = Object.getPrototypeOf(options);
    // Another realm's Object.prototype (an object from `vm` or an iframe) is a plain object too:
    // it is an Object.prototype whose own prototype is null.
    if (proto === null || Object.getPrototypeOf(proto) === null) return Reflect.ownKeys(options);
  }
  throw new LossError('INVALID_OPTION', `options must be a plain object, not ${describeValue(options)}`, {
    loss,
    argument: 'options',
    hint: 'Pass an object literal such as { reduction: "sum" } (or nothing): class instances, inherited keys, Maps and other values are not read as options.',
  });
}

/** A short description of a value that is not a plain object, for {@link optionsOwnKeys}. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
    ?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a prototype';
}

/**
 * Throws `INVALID_OPTION` for the first own key of `options` (string, symbol or non-enumerable,
 * see {@link optionsOwnKeys}) that is not in `known`, naming the loss, the key and the option it
 * probably meant (`ignore_index` → `ignoreIndex`), so a torch spelling or a typo never silently
 * computes the plain loss. A known key with the value `undefined` is fine. For a partial form
 * (`form: 'partial'`), `reduction` is rejected too: a partial state is reduced by `finalize`.
 * Runs once per call (a few string comparisons), never per element.
 *
 * @example
 * checkOptionKeys('crossEntropy', { ignore_index: 2 }, crossEntropyOptionKeys); // throws: did you mean 'ignoreIndex'?
 * checkOptionKeys('crossEntropy', { reduction: 'sum' }, crossEntropyOptionKeys, 'partial'); // throws: use finalize(state, 'sum')
 */
export function checkOptionKeys(
  loss: string,
  options: unknown,
  known: readonly string[],
  form: 'loss' | 'partial' = 'loss',
): void {
  for (const key of optionsOwnKeys(loss, options)) {
    if (typeof key === 'symbol') throw unknownOptionError(loss, String(key), known);
    if (!known.includes(key)) throw unknownOptionError(loss, key, known);
    if (form === 'partial' && key === 'reduction') {
      const reduction = (options as { reduction?: unknown }).reduction;
      if (reduction !== undefined) throw partialReductionError(loss, reduction);
    }
  }
}

/** `INVALID_OPTION` for a `reduction` given to a partial form, which `finalize` would ignore. */
function partialReductionError(loss: string, reduction: unknown): LossError {
  const shown = typeof reduction === 'string' ? `'${reduction}'` : String(reduction);
  return new LossError('INVALID_OPTION', `a partial form takes no 'reduction' (got ${shown})`, {
    loss,
    argument: 'reduction',
    hint: `Leave 'reduction' out of ${loss}Partial and reduce the state with finalize(state, ${shown}).`,
  });
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
