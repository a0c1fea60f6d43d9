/**
 * Streaming properties of the metrics (fast-check): for any split of the rows into batches,
 * accumulating into one state and merging per-batch states give the one-shot value — bit-identical
 * for the count metrics (integer counts, histograms), within float64 rounding for the compensated
 * sums and Chan-merged moments; merging count states is associative; and the reductions agree
 * (micro scores = accuracy, macro = mean of the per-class values, confusion-matrix trace = accuracy).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor/tensor.js';
import { accuracy } from './accuracy.js';
import { confusionMatrix } from './confusionMatrix.js';
import { f1 } from './f1.js';
import { type MetricState, mergeMetricStates } from './MetricState.js';
import { METRICS, type MetricValue } from './metrics.js';
import { precision } from './precision.js';
import { recall } from './recall.js';
import { topKAccuracy } from './topKAccuracy.js';

const C = 4;

interface Draw {
  x: Tensor;
  y: Tensor;
  cuts: number[];
}

/** Logits on a coarse grid (ties happen), labels with ignored (−1) rows, and batch boundaries. */
const multiclass: fc.Arbitrary<Draw> = fc.integer({ min: 0, max: 30 }).chain((n) =>
  fc.record({
    x: fc
      .array(fc.integer({ min: -8, max: 8 }), { minLength: n * C, maxLength: n * C })
      .map((v) => ({ data: Float64Array.from(v, (z) => z / 4), shape: [n, C] })),
    y: fc
      .array(fc.integer({ min: -1, max: C - 1 }), { minLength: n, maxLength: n })
      .map((v) => ({ data: Int32Array.from(v), shape: [n] })),
    cuts: fc
      .uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 4 })
      .map((c) => c.sort((a, b) => a - b)),
  }),
);

/**
 * Targets and predictions for regression, on a grid of 1/64 around 1e6: a large offset (where
 * naive Σy² − (Σy)²/n cancels) without the ill-conditioning of values one ulp apart.
 */
// Values near an offset far from 0 (1.7e12: millisecond timestamps), where a mean rounds at its
// own magnitude: the moments must keep the digits a merge needs.
const regression: fc.Arbitrary<Draw> = fc
  .tuple(fc.integer({ min: 0, max: 30 }), fc.constantFrom(0, 1e6, 1.7e12))
  .chain(([n, offset]) =>
    fc.record({
      x: fc
        .array(fc.integer({ min: -6400, max: 6400 }), { minLength: n, maxLength: n })
        .map((v) => ({ data: Float64Array.from(v, (a) => a / 64 + offset), shape: [n] })),
      y: fc
        .array(fc.integer({ min: -6400, max: 6400 }), { minLength: n, maxLength: n })
        .map((v) => ({ data: Float64Array.from(v, (a) => a / 64 + offset), shape: [n] })),
      cuts: fc
        .uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 4 })
        .map((c) => c.sort((a, b) => a - b)),
    }),
  );

function rows(t: Tensor, from: number, to: number): Tensor {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: t.data.slice(from * per, to * per), shape: [to - from, ...t.shape.slice(1)] };
}

function batches(d: Draw): [Tensor, Tensor][] {
  const n = d.x.shape[0]!;
  const bounds = [0, ...d.cuts, n];
  const out: [Tensor, Tensor][] = [];
  for (let i = 0; i + 1 < bounds.length; i++)
    out.push([rows(d.x, bounds[i]!, bounds[i + 1]!), rows(d.y, bounds[i]!, bounds[i + 1]!)]);
  return out;
}

const COUNT_METRICS: [keyof typeof METRICS, object][] = [
  ['accuracy', { ignoreIndex: -1 }],
  ['topKAccuracy', { k: 2, ignoreIndex: -1 }],
  ['precision', { average: 'macro', ignoreIndex: -1 }],
  ['recall', { average: 'weighted', ignoreIndex: -1 }],
  ['f1', { average: 'none', ignoreIndex: -1 }],
  ['confusionMatrix', { ignoreIndex: -1 }],
  ['auroc', { thresholds: 11, ignoreIndex: -1 }],
  ['auroc', { ignoreIndex: -1 }],
  ['auroc', { grid: 'linear', thresholds: 11, ignoreIndex: -1 }],
];

const SUM_METRICS: [keyof typeof METRICS, object][] = [
  ['calibrationError', { nBins: 5, ignoreIndex: -1 }],
  ['brierScore', { ignoreIndex: -1 }],
  ['perplexity', { ignoreIndex: -1 }],
];

const same = (a: MetricValue, b: MetricValue) => expect(JSON.stringify(a)).toBe(JSON.stringify(b));

function close(a: MetricValue, b: MetricValue, rel: number): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(b)) expect(a).toBeNaN();
    else expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
  } else same(a, b);
}

describe('metric states over any batch split', () => {
  for (const [name, options] of COUNT_METRICS) {
    it(`${name} ${JSON.stringify(options)}: into one state and merged per-batch states are bit-identical to one shot`, () => {
      const m = METRICS[name];
      fc.assert(
        fc.property(multiclass, (d) => {
          const whole = m.partial(d.x, d.y, options);
          let into: MetricState | undefined;
          const parts: MetricState[] = [];
          for (const [x, y] of batches(d)) {
            into = m.partial(x, y, options, into);
            parts.push(m.partial(x, y, options));
          }
          const merged = parts.reduce((a, b) => mergeMetricStates(a, b));
          expect(Array.from(into!.counts)).toEqual(Array.from(whole.counts));
          expect(Array.from(merged.counts)).toEqual(Array.from(whole.counts));
          same(m.value(into!), m.value(whole));
          same(m.value(merged), m.value(whole));
          // Associativity (exact counts): (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c), in any grouping.
          if (parts.length >= 3) {
            const [a, b, ...rest] = parts as [MetricState, MetricState, ...MetricState[]];
            const c = rest.reduce((p, q) => mergeMetricStates(p, q));
            const left = mergeMetricStates(mergeMetricStates(a, b), c);
            const right = mergeMetricStates(a, mergeMetricStates(b, c));
            expect(Array.from(left.counts)).toEqual(Array.from(right.counts));
            same(m.value(left), m.value(right));
          }
        }),
      );
    });
  }

  for (const [name, options] of SUM_METRICS) {
    it(`${name}: split and merged states equal one shot within float64 rounding`, () => {
      const m = METRICS[name];
      fc.assert(
        fc.property(multiclass, (d) => {
          const whole = m.value(m.partial(d.x, d.y, options));
          let into: MetricState | undefined;
          const parts: MetricState[] = [];
          for (const [x, y] of batches(d)) {
            into = m.partial(x, y, options, into);
            parts.push(m.partial(x, y, options));
          }
          close(m.value(into!), whole, 1e-14);
          close(m.value(parts.reduce((a, b) => mergeMetricStates(a, b))), whole, 1e-14);
        }),
      );
    });
  }

  for (const name of ['mae', 'rmse', 'r2', 'pearson'] as const) {
    it(`${name}: split and merged states equal one shot (values offset by up to 1.7e12)`, () => {
      const m = METRICS[name];
      fc.assert(
        fc.property(regression, (d) => {
          const whole = m.value(m.partial(d.x, d.y));
          let into: MetricState | undefined;
          const parts: MetricState[] = [];
          for (const [x, y] of batches(d)) {
            into = m.partial(x, y, {}, into);
            parts.push(m.partial(x, y));
          }
          close(m.value(into!), whole, 1e-12);
          close(m.value(parts.reduce((a, b) => mergeMetricStates(a, b))), whole, 1e-12);
        }),
      );
    });
  }
});

describe('reduction consistency', () => {
  it('micro precision = micro recall = micro F1 = accuracy = top-1 = trace / total of the confusion matrix', () => {
    fc.assert(
      fc.property(multiclass, ({ x, y }) => {
        const o = { ignoreIndex: -1 };
        const acc = accuracy(x, y, o);
        const cm = confusionMatrix(x, y, o);
        const total = cm.flat().reduce((a, b) => a + b, 0);
        const trace = cm.reduce((s, row, i) => s + row[i]!, 0);
        if (total === 0) {
          expect(acc).toBeNaN();
          expect(precision(x, y, { ...o, average: 'micro' })).toBeNaN();
          return;
        }
        expect(acc).toBe(trace / total);
        expect(topKAccuracy(x, y, { ...o, k: 1 })).toBe(acc);
        expect(topKAccuracy(x, y, { ...o, k: C })).toBe(1);
        for (const f of [precision, recall, f1])
          expect(f(x, y, { ...o, average: 'micro' })).toBeCloseTo(acc, 15);
      }),
    );
  });

  it('macro = mean of the per-class values over classes in targets or predictions; weighted by support', () => {
    fc.assert(
      fc.property(multiclass, ({ x, y }) => {
        const o = { ignoreIndex: -1 };
        const cm = confusionMatrix(x, y, o);
        const support = cm.map((row) => row.reduce((a, b) => a + b, 0));
        const predicted = cm[0]!.map((_, c) => cm.reduce((s, row) => s + row[c]!, 0));
        for (const f of [precision, recall, f1]) {
          const per = f(x, y, { ...o, average: 'none' }) as number[];
          const present = per.filter((_, c) => support[c]! + predicted[c]! > 0);
          const macro = f(x, y, { ...o, average: 'macro' }) as number;
          const weighted = f(x, y, { ...o, average: 'weighted' }) as number;
          const n = support.reduce((a, b) => a + b, 0);
          if (n === 0) {
            expect(macro).toBeNaN();
            continue;
          }
          expect(macro).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 14);
          expect(weighted).toBeCloseTo(per.reduce((s, v, c) => s + v * support[c]!, 0) / n, 14);
        }
      }),
    );
  });
});
