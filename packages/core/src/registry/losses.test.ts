import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as core from '../index.js';
import { fixturePath, type GoldenFile } from '../testing/goldens.js';
import { LOSSES, lossDescriptor } from './losses.js';

const exports = core as unknown as Record<string, unknown>;
const goldens = JSON.parse(readFileSync(fixturePath('torch-goldens.json'), 'utf8')) as GoldenFile;
const DEPRECATED = new Set(['reduce', 'size_average']);

describe('the loss registry', () => {
  it('describes every loss of the package (each function with a partial form), once', () => {
    // Metrics (METRICS) have partial forms too, but are no losses.
    const losses = Object.keys(exports).filter(
      (k) => typeof exports[`${k}Partial`] === 'function' && !Object.hasOwn(core.METRICS, k),
    );
    expect(LOSSES.map((d) => d.name).sort()).toEqual(losses.sort());
    for (const key of ['name', 'cliName'] as const)
      expect(new Set(LOSSES.map((d) => d[key])).size, key).toBe(LOSSES.length);
    expect(new Set(LOSSES.map((d) => d.torch.module)).size).toBe(LOSSES.length);
  });

  it.each(LOSSES.map((d) => [d.name, d] as const))('%s: forms, option keys and names agree', (name, d) => {
    expect(lossDescriptor(name)).toBe(d);
    expect(d.loss).toBe(exports[name]);
    expect(d.partial).toBe(exports[`${name}Partial`]);
    // The options list is written once: the core's key list is the descriptor's.
    expect(d.optionKeys).toBe(exports[`${name}OptionKeys`]);
    expect(d.optionKeys).toEqual(Object.keys(d.options));
    expect(d.cliName).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(d.torch.module).toMatch(/Loss$/);
    expect(d.torch.functional).toMatch(/^[a-z0-9_]+$/);
    expect(d.reductions).toEqual(name === 'klDiv' ? ['mean', 'sum', 'batchmean'] : ['mean', 'sum']);
    expect(d.summary.length).toBeGreaterThan(0);
    expect(d.summary).not.toContain('\n');
  });

  it.each(LOSSES.map((d) => [d.name, d] as const))(
    '%s: roles are the arguments before the options',
    (_, d) => {
      // The tensors come first, in `roles` order; torch's arguments beyond them are options.
      const call = d.loss as (...a: unknown[]) => unknown;
      expect(call.length === d.roles.length || call.length === d.roles.length + 1).toBe(true);
      expect(new Set(d.roles.map((r) => r.name)).size).toBe(d.roles.length);
      for (const r of d.roles) {
        // input and target are auto-detected; every other role reads a column of its own by default.
        expect(r.column === undefined, r.name).toBe(r.name === 'input' || r.name === 'target');
        expect(['float', 'int', 'either']).toContain(r.dtype);
        expect(r.shape.length).toBeGreaterThan(0);
      }
    },
  );

  it.each(LOSSES.map((d) => [d.name, d] as const))('%s: options are described as torch has them', (_, d) => {
    for (const [key, o] of Object.entries(d.options)) {
      expect(o.torch, key).toMatch(/^[a-z0-9_]+$/);
      expect(o.describe.length, key).toBeGreaterThan(0);
      if (o.type === 'choice') expect(o.choices?.length, key).toBeGreaterThan(0);
      if (o.type === 'function') {
        // A function reaches neither a worker thread nor a command line, unless it can be named.
        expect(o.transferable, key).toBe(false);
        expect(o.named !== undefined || o.commandLine === false, key).toBe(true);
      }
      if (o.default !== undefined && o.type !== 'choice') {
        const kind = { number: 'number', integer: 'number', boolean: 'boolean' }[o.type as string];
        expect(typeof o.default, key).toBe(kind);
      }
    }
    expect(d.options.reduction?.choices).toEqual(
      d.name === 'klDiv' ? ['none', 'mean', 'sum', 'batchmean'] : ['none', 'mean', 'sum'],
    );
  });

  it.each(LOSSES.map((d) => [d.name, d] as const))('%s: has torch goldens, in its own terms', (_, d) => {
    const cases = goldens.cases.filter((c) => c.loss === d.torch.module);
    expect(cases.length).toBeGreaterThan(5);
    const torchOptions = new Set(Object.values(d.options).map((o) => o.torch));
    for (const c of cases) {
      for (const p of Object.keys(c.params))
        expect(torchOptions.has(p) || DEPRECATED.has(p), `${c.id}: ${p}`).toBe(true);
      const tensors = Object.keys(c.inputs).filter((k) => !torchOptions.has(k));
      expect(tensors, c.id).toHaveLength(d.roles.length);
    }
  });

  it('finds nothing else', () => {
    expect(lossDescriptor('pairwiseDistance')).toBeUndefined();
    expect(lossDescriptor('toString')).toBeUndefined();
  });

  it('keeps the options type and the role names in the types', () => {
    const d = lossDescriptor('gaussianNllLoss');
    expectTypeOf(d.roles[0]!.name).toEqualTypeOf<'input' | 'target' | 'var'>();
    expectTypeOf(d.optionKeys[0]!).toEqualTypeOf<keyof core.GaussianNllLossOptions>();
  });
});
