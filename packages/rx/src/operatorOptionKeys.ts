import { optionsOwnKeys, unknownOptionError } from '@lossflow/core';
import type { LossOperatorSpec } from './lossOperator.js';

/** The keys of the stream options every loss operator takes (`StreamOptions`). */
export const STREAM_KEYS: ReadonlySet<string> = new Set(['by', 'perRow', 'nulls', 'step']);

/** Keys that ask an operator for a reduction, which the reducing operators choose instead. */
const REDUCTION_KEYS = new Set(['reduction', 'reduce', 'size_average', 'sizeAverage']);

/**
 * Rejects, when a loss operator is created (before any batch), an options key that is none of the
 * core loss's options (but `reduction`), its column roles and the stream options: `INVALID_OPTION`
 * naming the operator, the key and the option it probably meant. Options must be a plain object
 * (see `optionsOwnKeys`); every own key counts, symbol and non-enumerable ones too. Specs without
 * `optionKeys` (custom ones) are checked for a plain object only.
 *
 * @example
 * checkOperatorOptions(spec, { ignore_index: 2 }); // throws: did you mean 'ignoreIndex'?
 */
export function checkOperatorOptions<O>(spec: LossOperatorSpec<O>, options: unknown): void {
  const keys = optionsOwnKeys(spec.name, options);
  if (spec.optionKeys === undefined) return;
  const known = [...spec.optionKeys.filter((k) => k !== 'reduction'), ...spec.roles, ...STREAM_KEYS];
  for (const key of keys) {
    if (typeof key === 'string' && known.includes(key)) continue;
    throw unknownOptionError(
      spec.name,
      String(key),
      known,
      typeof key === 'string' && REDUCTION_KEYS.has(key)
        ? "An operator emits mergeable states: choose the reduction downstream, e.g. reduce('sum'), running('sum') or reduceGroups('sum')."
        : undefined,
    );
  }
}
