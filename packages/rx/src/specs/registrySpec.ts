import { lossDescriptor } from '@lossflow/core';
import { descriptorSpec } from './descriptorSpec.js';
import type { LossOperatorSpec } from './LossOperatorSpec.js';

/**
 * The spec of the registry loss `name`, as its operator builds it: how a worker thread gets the
 * spec it cannot be sent.
 *
 * @throws {Error} when `name` is not a loss of the registry (`LOSSES`).
 * @example
 * registrySpec('mseLoss').partial([x, y], {});
 */
export function registrySpec(name: string): LossOperatorSpec<unknown> {
  const d = lossDescriptor(name);
  if (d === undefined) throw new Error(`'${name}' is not a loss of the @lossflow/core registry`);
  return descriptorSpec(d);
}

/**
 * Whether `spec` is the registry's own spec object of its loss (what `registrySpec(spec.name)`
 * returns in a worker). By identity, not by a flag or by comparing fields: a worker rebuilds the
 * loss from its name alone, so any other spec (a copy with other forms, roles or columns, even
 * one built by `lossSpec` from the core's own functions) would compute something else there.
 *
 * @example
 * isRegistrySpec(registrySpec('mseLoss')); // true
 * isRegistrySpec({ ...registrySpec('mseLoss'), partial: l1Partial }); // false
 */
export function isRegistrySpec(spec: LossOperatorSpec<unknown>): boolean {
  const d = lossDescriptor(spec.name);
  return d !== undefined && descriptorSpec(d) === spec;
}
