import { type LossState, lossDescriptor, type Tensor } from '@lossflow/core';
import type { LossOperatorSpec } from './LossOperatorSpec.js';

// Any core loss function or partial form; arguments are checked by the core at run time.
type AnyFunction = (...args: never[]) => unknown;

/**
 * The operator spec of a core loss from its function and its `…Partial` form: the tensors are
 * passed in `roles` order, then the options (and the state to add into). When they are the forms
 * of the registry's loss `name` (see `LOSSES`), `optionKeys` defaults to the registry's option keys;
 * they let the operator reject unknown option keys. The spec is still the caller's own: only the
 * registry's operators (`operatorOf`, `crossEntropy`, …) run in worker threads (see `isRegistrySpec`).
 *
 * @example
 * const spec = lossSpec<MseLossOptions>('mseLoss', ['input', 'target'], core.mseLoss, core.mseLossPartial);
 */
export function lossSpec<O>(
  name: string,
  roles: readonly string[],
  loss: AnyFunction,
  partial: AnyFunction,
  optionKeys?: readonly string[],
): LossOperatorSpec<O> {
  const call = (f: AnyFunction, args: unknown[]): unknown => (f as (...a: unknown[]) => unknown)(...args);
  const registered = lossDescriptor(name);
  const sameForms = registered?.loss === loss && registered.partial === partial;
  const keys = optionKeys ?? (sameForms ? registered.optionKeys : undefined);
  return {
    name,
    roles,
    ...(keys === undefined ? {} : { optionKeys: keys }),
    partial: (args, options, into) => call(partial, [...args, options, into]) as LossState,
    none: (args, options) => call(loss, [...args, { ...options, reduction: 'none' }]) as Tensor,
  };
}
