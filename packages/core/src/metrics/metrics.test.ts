import { describe, expect, it } from 'vitest';
import * as core from '../index.js';
import { METRICS } from './metrics.js';

const exports = core as unknown as Record<string, unknown>;

describe('the metric registry', () => {
  it('lists every exported metric (a function with a partial form and a METRICS entry), once', () => {
    const names = Object.values(METRICS).map((m) => m.name);
    expect(Object.keys(METRICS)).toEqual(names);
    expect(new Set(names.map((n) => METRICS[n as keyof typeof METRICS].cliName)).size).toBe(names.length);
    for (const m of Object.values(METRICS)) {
      expect(typeof exports[m.name]).toBe('function');
      expect(m.partial).toBe(exports[`${m.name}Partial`]);
      expect(m.cliName).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      const keys = exports[`${m.name}OptionKeys`];
      if (keys !== undefined) expect(m.optionKeys).toBe(keys);
    }
  });

  it('one-shot functions equal value(partial(…))', () => {
    const x = { data: Float64Array.from([2, 0.5, -1, 0.1, 0.2, 3, 1, 1, 0]), shape: [3, 3] };
    const y = Int32Array.from([0, 2, 2]);
    for (const m of Object.values(METRICS)) {
      if (['mae', 'rmse', 'r2', 'pearson'].includes(m.name)) {
        const f = exports[m.name] as (a: number[], b: number[]) => number;
        expect(f([1, 2, 4], [1, 3, 3])).toEqual(m.value(m.partial([1, 2, 4], [1, 3, 3])));
      } else {
        const f = exports[m.name] as (a: unknown, b: unknown) => unknown;
        expect(f(x, y)).toEqual(m.value(m.partial(x, y)));
      }
    }
  });
});

describe('the 0/1 threshold', () => {
  it('predicts 1 only above it, as torchmetrics (`preds > threshold`): a logit of 0 predicts 0', () => {
    const logits = Float32Array.from([0, 0, 0, 0]);
    const targets = Int32Array.from([0, 0, 1, 0]);
    expect(core.accuracy(logits, targets)).toBe(0.75);
    expect(core.recall(logits, targets)).toBe(0);
    const probabilities = Float64Array.from([0.3, 0.3, 0.7, 0.3]);
    expect(core.accuracy(probabilities, targets, { scores: 'probabilities', threshold: 0.3 })).toBe(1);
    expect(core.accuracy(probabilities, targets, { scores: 'probabilities', threshold: 0.29 })).toBe(0.25);
  });
});
