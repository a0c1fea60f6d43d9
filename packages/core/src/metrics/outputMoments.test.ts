/**
 * r2 and pearson from per-output moments: one value per column of `(N, k)` data (combined by
 * `multioutput`), equal at any magnitude (power-of-two scaling: no overflow near 1e155, no
 * underflow near 1e-160), and within 1e-11 of the one-shot value for any batch split (Chan's
 * update is not associative in floats, so not bit-identical).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MetricState, mergeMetricStates } from './MetricState.js';
import { finalizeMetric } from './metrics.js';
import { pearson, pearsonPartial } from './pearson.js';
import { r2, r2Partial } from './r2.js';

/** Deterministic pairs: targets and noisy predictions (a 32-bit LCG: no Math.random). */
function pairs(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  for (let i = 0; i < n; i++) {
    y[i] = 3 + next() * 4;
    x[i] = y[i]! + next();
  }
  return { x, y };
}

const scaled = (a: Float64Array, s: number): Float64Array => a.map((v) => v * s);
const closeTo = (got: number, want: number, rel: number) =>
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(rel * Math.abs(want));

describe('pearson and r2 at any magnitude', () => {
  const { x, y } = pairs(1000, 3);
  const r = pearson(x, y) as number;
  const q = r2(x, y) as number;
  it.each([1e155, 1e200, 1e300, 1e-160, 1e-200, 1e-300])('scale %s gives the value of scale 1', (s) => {
    const xs = scaled(x, s);
    const ys = scaled(y, s);
    closeTo(pearson(xs, ys) as number, r, 1e-14);
    closeTo(r2(xs, ys) as number, q, 1e-14);
    // Batches of different magnitude (a first batch of zeros) merge at the larger scale.
    let state: MetricState | undefined;
    for (let i = 0; i < 1000; i += 300)
      state = pearsonPartial(xs.subarray(i, i + 300), ys.subarray(i, i + 300), {}, state);
    closeTo(finalizeMetric(state!) as number, r, 1e-13);
  });

  it.each([1, 1e-160, 1e-200, 1e200])('a batch of zeros at scale %s merges as the rows in one batch', (s) => {
    // Rows 300–599 exactly zero (both variables, then only the targets): the zero batch has no
    // magnitude, so it must not set the merged scale (at 1e-200 the others' moments underflowed).
    for (const zeroX of [true, false]) {
      const xs = scaled(x, s);
      const ys = scaled(y, s);
      if (zeroX) xs.fill(0, 300, 600);
      ys.fill(0, 300, 600);
      let rs: MetricState | undefined;
      let qs: MetricState | undefined;
      for (let i = 0; i < 1000; i += 300) {
        rs = pearsonPartial(xs.subarray(i, i + 300), ys.subarray(i, i + 300), {}, rs);
        qs = r2Partial(xs.subarray(i, i + 300), ys.subarray(i, i + 300), {}, qs);
      }
      const oneR = pearson(scaled(xs, 1 / s), scaled(ys, 1 / s)) as number;
      const oneQ = r2(scaled(xs, 1 / s), scaled(ys, 1 / s)) as number;
      closeTo(finalizeMetric(rs!) as number, oneR, 1e-13);
      closeTo(finalizeMetric(qs!) as number, oneQ, 1e-13);
    }
  });

  it('only x scaled: r is scale-free, values of very different magnitudes mix', () => {
    closeTo(pearson(scaled(x, 1e-300), scaled(y, 1e300)) as number, r, 1e-14);
  });
});

describe('(N, k) data: per output, as r2_score and PearsonCorrCoef(num_outputs=k)', () => {
  const k = 3;
  const n = 200;
  const cols = [pairs(n, 1), pairs(n, 2), pairs(n, 5)];
  // Column j scaled by 10^j, so the outputs differ in variance.
  const x = new Float64Array(n * k);
  const y = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) {
      x[i * k + j] = cols[j]!.x[i]! * 10 ** j;
      y[i * k + j] = cols[j]!.y[i]! * 10 ** j;
    }
  const X = { data: x, shape: [n, k] };
  const Y = { data: y, shape: [n, k] };
  const r2s = cols.map((c, j) => r2(scaled(c.x, 10 ** j), scaled(c.y, 10 ** j)) as number);
  const rs = cols.map((c) => pearson(c.x, c.y) as number);

  it('raw_values are the columns’ values, the default their mean', () => {
    const raw = r2(X, Y, { multioutput: 'raw_values' }) as number[];
    raw.forEach((v, j) => {
      closeTo(v, r2s[j]!, 1e-14);
    });
    closeTo(r2(X, Y) as number, (r2s[0]! + r2s[1]! + r2s[2]!) / 3, 1e-14);
    const rr = pearson(X, Y, { multioutput: 'raw_values' }) as number[];
    rr.forEach((v, j) => {
      closeTo(v, rs[j]!, 1e-14);
    });
    closeTo(pearson(X, Y) as number, (rs[0]! + rs[1]! + rs[2]!) / 3, 1e-14);
  });

  it('variance_weighted weighs each output by its target sum of squares', () => {
    const tot = cols.map((c, j) => {
      const v = scaled(c.y, 10 ** j);
      const m = v.reduce((a, b) => a + b, 0) / n;
      return v.reduce((a, b) => a + (b - m) ** 2, 0);
    });
    const want = tot.reduce((a, t, j) => a + t * r2s[j]!, 0) / tot.reduce((a, b) => a + b, 0);
    closeTo(r2(X, Y, { multioutput: 'variance_weighted' }) as number, want, 1e-13);
  });

  it.each([1e160, 1e-170])('variance_weighted at scale %s weighs as at scale 1', (s) => {
    const want = r2(X, Y, { multioutput: 'variance_weighted' }) as number;
    const got = r2(
      { data: scaled(x, s), shape: [n, k] },
      { data: scaled(y, s), shape: [n, k] },
      { multioutput: 'variance_weighted' },
    ) as number;
    closeTo(got, want, 1e-13);
    expect(got).not.toBe(r2(X, Y) as number);
  });

  it('pearson takes no variance_weighted; an (N, k) batch does not join an (N) state', () => {
    expect(() => pearson(X, Y, { multioutput: 'variance_weighted' as 'raw_values' })).toThrow(/multioutput/);
    const state = r2Partial(X, Y);
    expect(() => r2Partial(x.subarray(0, 5), y.subarray(0, 5), {}, state)).toThrow(/layout/);
  });
});

describe('any batch split', () => {
  const data = fc.integer({ min: 2, max: 40 }).chain((n) =>
    fc.record({
      x: fc.array(fc.integer({ min: -6400, max: 6400 }), { minLength: 2 * n, maxLength: 2 * n }),
      y: fc.array(fc.integer({ min: -6400, max: 6400 }), { minLength: 2 * n, maxLength: 2 * n }),
      cuts: fc
        .uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 4 })
        .map((c) => c.sort((a, b) => a - b)),
    }),
  );
  it.each([
    ['r2', r2Partial],
    ['pearson', pearsonPartial],
  ] as const)('%s: raw values within 1e-11 of one shot, accumulated or merged', (_, partial) => {
    fc.assert(
      fc.property(data, ({ x, y, cuts }) => {
        const n = x.length / 2;
        const X = Float64Array.from(x, (v) => v / 64 + 1e6);
        const Y = Float64Array.from(y, (v) => v / 64 + 1e6);
        const rows = (a: Float64Array, from: number, to: number) => ({
          data: a.subarray(2 * from, 2 * to),
          shape: [to - from, 2],
        });
        const opts = { multioutput: 'raw_values' as const };
        const want = finalizeMetric(partial(rows(X, 0, n), rows(Y, 0, n), opts)) as number[];
        const bounds = [0, ...cuts, n];
        let into: MetricState | undefined;
        const parts: MetricState[] = [];
        for (let i = 1; i < bounds.length; i++) {
          into = partial(
            rows(X, bounds[i - 1]!, bounds[i]!),
            rows(Y, bounds[i - 1]!, bounds[i]!),
            opts,
            into,
          );
          parts.push(partial(rows(X, bounds[i - 1]!, bounds[i]!), rows(Y, bounds[i - 1]!, bounds[i]!), opts));
        }
        for (const got of [
          finalizeMetric(into!),
          finalizeMetric(parts.reduce(mergeMetricStates)),
        ] as number[][])
          got.forEach((v, j) => {
            if (Number.isNaN(want[j]!)) expect(v).toBeNaN();
            else expect(Math.abs(v - want[j]!)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(want[j]!)));
          });
      }),
      { numRuns: 150 },
    );
  });
});
