import type { CtcLossOptions, LossDescriptor } from '@lossflow/core';
import { ctcSpec } from './ctcSpec.js';
import type { LossOperatorSpec } from './LossOperatorSpec.js';
import { lossSpec } from './lossSpec.js';

/**
 * The losses whose tensors a record batch holds in another layout than the core function takes:
 * their spec adapts the registry's (CTC wants time first).
 */
const ADAPTED: Readonly<Record<string, (spec: LossOperatorSpec<never>) => LossOperatorSpec<never>>> = {
  ctcLoss: (spec) => ctcSpec(spec as LossOperatorSpec<CtcLossOptions>) as LossOperatorSpec<never>,
};

const specs = new WeakMap<LossDescriptor, LossOperatorSpec<unknown>>();

/**
 * The operator spec of a registry loss, from its descriptor: its roles and their default columns,
 * its option keys, its forms. One per descriptor, so every operator of a loss shares it.
 *
 * @example
 * descriptorSpec(lossDescriptor('gaussianNllLoss')).columns; // { var: 'var' }
 */
export function descriptorSpec<O>(d: LossDescriptor): LossOperatorSpec<O> {
  let spec = specs.get(d);
  if (spec === undefined) {
    const base = lossSpec<never>(
      d.name,
      d.roles.map((r) => r.name),
      d.loss,
      d.partial,
    );
    const columns = Object.fromEntries(
      d.roles.flatMap((r) => (r.column === undefined ? [] : [[r.name, r.column]])),
    );
    const withColumns: LossOperatorSpec<never> = { ...base, columns };
    spec = (ADAPTED[d.name]?.(withColumns) ?? withColumns) as LossOperatorSpec<unknown>;
    specs.set(d, spec);
  }
  return spec as LossOperatorSpec<O>;
}
