import type { LossState, Tensor } from '@lossflow/core';
import type { LossOperatorSpec } from './lossOperator.js';

// Any core loss function or partial form; arguments are checked by the core at run time.
type AnyFunction = (...args: never[]) => unknown;

/**
 * The operator spec of a core loss from its function and its `…Partial` form: the tensors are
 * passed in `roles` order, then the options (and the state to add into).
 *
 * @example
 * const spec = lossSpec<MseLossOptions>('mseLoss', ['input', 'target'], core.mseLoss, core.mseLossPartial);
 */
export function lossSpec<O>(
  name: string,
  roles: readonly string[],
  loss: AnyFunction,
  partial: AnyFunction,
): LossOperatorSpec<O> {
  const call = (f: AnyFunction, args: unknown[]): unknown => (f as (...a: unknown[]) => unknown)(...args);
  return {
    name,
    roles,
    partial: (args, options, into) => call(partial, [...args, options, into]) as LossState,
    none: (args, options) => call(loss, [...args, { ...options, reduction: 'none' }]) as Tensor,
  };
}
