import { optionsOwnKeys, unknownOptionError } from '@lossflow/core';
import type { LossOperatorSpec } from '../specs/LossOperatorSpec.js';
import { STREAM_OPTION_KEYS, type StreamOptions } from './streamOptions.js';

/** Keys that ask an operator for a reduction, which the reducing operators choose instead. */
const REDUCTION_KEYS = new Set(['reduction', 'reduce', 'size_average', 'sizeAverage']);

const STREAM_KEYS: ReadonlySet<string> = new Set(STREAM_OPTION_KEYS);

/** A loss operator's flat options, split: the core loss's options, its columns by role, the stream options. */
export interface SplitOperatorOptions {
  /** The core loss's own options (what its function and partial form take). */
  readonly loss: Record<string, unknown>;
  /** The column of each role named in the options (`{ input: 'logits' }`). */
  readonly columns: Record<string, string | undefined>;
  readonly stream: StreamOptions;
}

/**
 * Splits a loss operator's flat (torch-like) options by the loss's spec: a key that is one of its
 * roles names that role's column, a key of {@link StreamOptions} (its typed table,
 * `STREAM_OPTION_KEYS`) is a stream option, any other key is the core loss's own. Rejects, when
 * the operator is created (before any batch), a key that is none of these: `INVALID_OPTION`
 * naming the operator, the key and the option it probably meant. Options must be a plain object
 * (see `optionsOwnKeys`); every own key counts, symbol and non-enumerable ones too. Specs without
 * `optionKeys` (custom ones) take any other key as a loss option.
 *
 * @example
 * splitOperatorOptions(spec, { input: 'logits', ignoreIndex: 2, by: 'epoch' });
 * // { loss: { ignoreIndex: 2 }, columns: { input: 'logits' }, stream: { by: 'epoch' } }
 * splitOperatorOptions(spec, { ignore_index: 2 }); // throws: did you mean 'ignoreIndex'?
 */
export function splitOperatorOptions<O>(spec: LossOperatorSpec<O>, options: unknown): SplitOperatorOptions {
  const keys = optionsOwnKeys(spec.name, options);
  const lossKeys = spec.optionKeys?.filter((k) => k !== 'reduction');
  const loss: Record<string, unknown> = {};
  const columns: Record<string, string | undefined> = {};
  const stream: Record<string, unknown> = {};
  const values = options as Record<string | symbol, unknown>;
  for (const key of keys) {
    const value = values[key];
    if (typeof key === 'string' && spec.roles.includes(key)) columns[key] = value as string | undefined;
    else if (typeof key === 'string' && STREAM_KEYS.has(key)) stream[key] = value;
    else if (lossKeys === undefined || (typeof key === 'string' && lossKeys.includes(key))) {
      if (typeof key === 'string') loss[key] = value;
    } else {
      throw unknownOptionError(
        spec.name,
        String(key),
        [...lossKeys, ...spec.roles, ...STREAM_OPTION_KEYS],
        typeof key === 'string' && REDUCTION_KEYS.has(key)
          ? "An operator emits mergeable states: choose the reduction downstream, e.g. reduce('sum'), running('sum') or reduceGroups('sum')."
          : undefined,
      );
    }
  }
  return { loss, columns, stream: stream as StreamOptions };
}
