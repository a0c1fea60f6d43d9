import { lossDescriptor } from '@lossflow/core';
import { descriptorSpec } from './descriptorSpec.js';
import type { LossOperatorSpec } from './LossOperatorSpec.js';

/**
 * The spec of the registry loss `name`, as its operator builds it (see `LossOperatorSpec.standard`):
 * how a worker thread gets the spec it cannot be sent.
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
