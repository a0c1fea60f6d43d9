/**
 * Every metric against the reference values of fixtures/metrics-goldens.json (scikit-learn 1.2,
 * torch for perplexity, scipy for Pearson; made by scripts/fixtures/gen_metrics.py), with float64
 * and float32 scores and int32 / int64 targets; binned AUROC against the exact value within its
 * stated error bound.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor/tensor.js';
import { type AurocOptions, aurocErrorBound, aurocPartial } from './auroc.js';
import type { MetricState } from './MetricState.js';
import { METRICS, type MetricValue } from './metrics.js';
import { perplexity } from './perplexity.js';

interface GoldenTensor {
  shape: number[];
  dtype: 'float' | 'int64';
  data: number[];
}
interface MetricCase {
  id: string;
  metric: string;
  options: Record<string, unknown>;
  inputs: string;
  expected: number | number[] | number[][];
}
interface MetricGoldens {
  inputs: Record<string, { input: GoldenTensor; target: GoldenTensor }>;
  cases: MetricCase[];
}

const goldens = JSON.parse(
  readFileSync(new URL('../../../../fixtures/metrics-goldens.json', import.meta.url), 'utf8'),
) as MetricGoldens;

function tensorOf(t: GoldenTensor, kind: 'float32' | 'float64' | 'int32' | 'int64'): Tensor {
  const data =
    t.dtype === 'float'
      ? kind === 'float32'
        ? Float32Array.from(t.data)
        : Float64Array.from(t.data)
      : kind === 'int64'
        ? BigInt64Array.from(t.data, BigInt)
        : Int32Array.from(t.data);
  return { data, shape: t.shape };
}

function expectClose(actual: MetricValue, expected: MetricCase['expected'], tol: number): void {
  if (typeof expected === 'number') {
    expect(typeof actual).toBe('number');
    expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(expected)),
    );
    return;
  }
  expect(Array.isArray(actual)).toBe(true);
  const a = actual as (number | number[])[];
  expect(a.length).toBe(expected.length);
  expected.forEach((e, i) => {
    expectClose(a[i]!, e, tol);
  });
}

const cases = goldens.cases;

describe('metrics vs scikit-learn / torch references', () => {
  it('covers every metric but calibrationError (tested against its formula)', () => {
    const covered = new Set(cases.map((c) => c.metric));
    for (const name of Object.keys(METRICS)) if (name !== 'calibrationError') expect(covered).toContain(name);
  });

  for (const c of cases.filter((c) => c.metric !== 'perplexity' && !c.id.endsWith('auroc-exact'))) {
    it(c.id, () => {
      const { input, target } = goldens.inputs[c.inputs]!;
      const metric = METRICS[c.metric as keyof typeof METRICS];
      for (const [fk, ik] of [
        ['float64', 'int64'],
        ['float32', 'int32'],
      ] as const) {
        const state = metric.partial(
          tensorOf(input, fk),
          tensorOf(target, target.dtype === 'float' ? fk : ik),
          c.options,
        );
        // Float32 scores are float32-representable in the fixture: the same numbers, the same values.
        expectClose(metric.value(state), c.expected, 1e-12);
      }
    });
  }

  for (const c of cases.filter((c) => c.metric === 'perplexity')) {
    it(c.id, () => {
      const { input, target } = goldens.inputs[c.inputs]!;
      const { dtype = 'float64', ...options } = c.options as { dtype?: 'float32' | 'float64' };
      const value = perplexity(tensorOf(input, dtype), tensorOf(target, 'int64'), options);
      // torch sums float32 losses in float32, lossflow in float64 then rounds: a few float32 ulps apart.
      expectClose(value, c.expected, dtype === 'float32' ? 2 ** -21 : 1e-13);
    });
  }

  for (const c of cases.filter((c) => c.id.endsWith('auroc-exact'))) {
    it(`${c.id}: binned within its error bound of the exact value`, () => {
      const { input, target } = goldens.inputs[c.inputs]!;
      for (const grid of [{}, { thresholds: 5000 }, { grid: 'linear', thresholds: 200 }] as AurocOptions[]) {
        const state: MetricState = aurocPartial(tensorOf(input, 'float64'), tensorOf(target, 'int64'), {
          ...c.options,
          ...grid,
        });
        const value = METRICS.auroc.value(state) as number;
        const bound = aurocErrorBound(state) as number;
        expect(Math.abs(value - (c.expected as number))).toBeLessThanOrEqual(bound + 1e-12);
        if (grid.thresholds === undefined) expect(bound).toBeLessThan(0.02);
      }
    });
  }
});
