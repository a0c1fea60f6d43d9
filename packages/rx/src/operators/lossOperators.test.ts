import { readFileSync, writeFileSync } from 'node:fs';
import type * as core from '@lossflow/core';
import { LOSSES, lossDescriptor } from '@lossflow/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as rx from '../index.js';
import { descriptorSpec } from '../specs/descriptorSpec.js';
import { isRegistrySpec, registrySpec } from '../specs/registrySpec.js';
import { lossOperatorsSource, REGENERATE } from '../testing/lossOperatorsSource.js';
import type { ColumnOptions } from './lossOperator.js';
import type { StreamOptions } from './streamOptions.js';

const path = new URL('./lossOperators.ts', import.meta.url);

describe('the generated loss operators', () => {
  it('are up to date with the loss registry', () => {
    const expected = lossOperatorsSource(LOSSES);
    if (process.env.LOSSFLOW_WRITE_GENERATED === '1') writeFileSync(path, expected);
    expect(readFileSync(path, 'utf8') === expected, `lossOperators.ts is stale: run ${REGENERATE}`).toBe(
      true,
    );
  });

  it('are exported by the package, one per loss', () => {
    const exports = rx as unknown as Record<string, unknown>;
    for (const d of LOSSES) expect(typeof exports[d.name], d.name).toBe('function');
  });

  it('take the options, columns and stream options their descriptors give', () => {
    expectTypeOf<rx.GaussianNllLossOperatorOptions>().toEqualTypeOf<
      Omit<core.GaussianNllLossOptions, 'reduction'> &
        ColumnOptions<'input' | 'target' | 'var'> &
        StreamOptions
    >();
    expectTypeOf<rx.CtcLossOperatorOptions>().toEqualTypeOf<
      Omit<core.CtcLossOptions, 'reduction'> &
        ColumnOptions<'input' | 'target' | 'inputLengths' | 'targetLengths'> &
        StreamOptions
    >();
    expectTypeOf(rx.crossEntropy)
      .parameter(0)
      .toEqualTypeOf<rx.CrossEntropyOperatorOptions | core.TensorInput | undefined>();
    expectTypeOf(rx.mseLoss).parameter(0).toEqualTypeOf<rx.MseLossOperatorOptions | undefined>();
  });

  it.each(LOSSES.map((d) => [d.name, d] as const))(
    '%s: one spec from the registry, in this thread and in workers',
    (name, d) => {
      const spec = registrySpec(name);
      expect(descriptorSpec(d)).toBe(spec);
      expect(spec.name).toBe(name);
      expect(isRegistrySpec(spec)).toBe(true);
      expect(spec.optionKeys).toBe(d.optionKeys);
      expect(spec.roles).toEqual(d.roles.map((r) => r.name));
      for (const r of d.roles) if (r.column !== undefined) expect(spec.columns?.[r.name]).toBe(r.column);
    },
  );

  it('keep the default columns operators had', () => {
    expect(descriptorSpec(lossDescriptor('ctcLoss')).columns).toEqual({
      inputLengths: 'input_lengths',
      targetLengths: 'target_lengths',
    });
    expect(descriptorSpec(lossDescriptor('gaussianNllLoss')).columns).toEqual({ var: 'var' });
    expect(descriptorSpec(lossDescriptor('mseLoss')).columns).toEqual({});
  });

  it('take a weight alone where the loss marks it as the shorthand', () => {
    expect(() => rx.crossEntropy([1, 2, 3])).not.toThrow();
    expect(() => rx.nllLoss(new Float64Array([1, 2]))).not.toThrow();
    expect(() => rx.operatorOf('mseLoss')([1, 2] as never)).toThrow(/options must be a plain object/);
    expect(() => rx.operatorOf('nope')).toThrow(/not a loss of the @lossflow\/core registry/);
  });
});
