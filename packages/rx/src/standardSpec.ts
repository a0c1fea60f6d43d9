import * as core from '@lossflow/core';
import { ctcSpec } from './ctcSpec.js';
import type { LossOperatorSpec } from './lossOperator.js';
import { lossSpec } from './lossSpec.js';

type AnyFunction = (...args: never[]) => unknown;

/**
 * `@lossflow/rx`'s own spec of the core loss `name` with these roles, as its operator builds it
 * (see `LossOperatorSpec.standard`): how a worker thread gets the spec it cannot be sent.
 *
 * @throws {Error} when `name` is not a core loss with a partial form.
 * @example
 * standardSpec('mseLoss', ['input', 'target']).partial([x, y], {});
 */
export function standardSpec(name: string, roles: readonly string[]): LossOperatorSpec<unknown> {
  if (name === ctcSpec.name) return ctcSpec as LossOperatorSpec<unknown>;
  const exports = core as unknown as Record<string, AnyFunction | undefined>;
  const loss = exports[name];
  const partial = exports[`${name}Partial`];
  if (typeof loss !== 'function' || typeof partial !== 'function') {
    throw new Error(`'${name}' is not a @lossflow/core loss with a partial form`);
  }
  return lossSpec(name, roles, loss, partial);
}
