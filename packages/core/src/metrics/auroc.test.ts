/**
 * The AUROC grids: the logit grid's bin map is monotone over the whole float64 range, and the
 * error bound holds: the exact AUROC (every positive–negative pair, ties half) lies within
 * value ± bound on random data with ties, for both grids and any bin count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracyPartial } from './accuracy.js';
import { aurocErrorBound, aurocPartial, aurocValue, logitBin } from './auroc.js';
import { metricErrorBound } from './metrics.js';

/** The exact AUROC of scores `p` against 0/1 `y` by counting pairs (ties half), NaN without both classes. */
function exactAuroc(p: readonly number[], y: readonly number[]): number {
  let area = 0;
  let pairs = 0;
  for (let i = 0; i < p.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < p.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      area += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  }
  return pairs === 0 ? Number.NaN : area / pairs;
}

describe('logitBin', () => {
  it('is monotone from 0 to 1, including subnormals, ½ and the last float64 below 1', () => {
    const T = 1000;
    const ps = [
      0,
      -0,
      5e-324,
      1e-310,
      2 ** -1022,
      1e-300,
      1e-45,
      2 ** -126,
      1e-30,
      1e-10,
      1e-3,
      0.1,
      0.25,
      0.5 - 2 ** -54,
      0.5,
      0.5 + 2 ** -53,
      0.75,
      0.9,
      1 - 1e-8,
      1 - 2 ** -52,
      1 - 2 ** -53,
      1,
    ];
    let seed = 1;
    const uniform = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 2000; i++) ps.push(uniform(), uniform() ** 40, 1 - uniform() ** 20);
    ps.sort((a, b) => a - b);
    let last = 0;
    for (const p of ps) {
      const b = logitBin(p, T);
      expect(Number.isInteger(b) && b >= last && b < T).toBe(true);
      last = b;
    }
    expect(logitBin(0, T)).toBe(0);
    expect(logitBin(-0, T)).toBe(0);
    expect(logitBin(1, T)).toBe(T - 1);
  });

  it('spreads a 1000-class model’s probabilities over many bins where the linear grid has one', () => {
    // softmax probabilities around 1/1000 (log-odds −6.9 ± 1): the linear grid's first bin is [0, 1/199).
    const bins = new Set<number>();
    for (let z = -9; z <= -5; z += 0.05) bins.add(logitBin(1 / (1 + Math.exp(-z)), 1000));
    expect(bins.size).toBeGreaterThan(20);
  });
});

describe('aurocErrorBound', () => {
  // Scores from a few values (ties across and within classes) and anywhere in [0, 1].
  const score = fc.oneof(
    fc.constantFrom(0, 0.5, 0.25, 1e-9, 1, 0.999),
    fc.double({ min: 0, max: 1, noNaN: true }),
  );
  const data = fc.array(fc.tuple(score, fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 60 });
  const grid = fc.record({
    grid: fc.constantFrom('logit' as const, 'linear' as const),
    thresholds: fc.integer({ min: 2, max: 300 }),
  });

  it('binary: the exact AUROC lies within value ± bound', () => {
    fc.assert(
      fc.property(data, grid, (rows, g) => {
        const p = rows.map((r) => r[0]);
        const y = rows.map((r) => r[1]);
        const exact = exactAuroc(p, y);
        const state = aurocPartial(p, y, { scores: 'probabilities', ...g });
        const value = aurocValue(state) as number;
        if (Number.isNaN(exact)) expect(value).toBeNaN();
        else expect(Math.abs(value - exact)).toBeLessThanOrEqual((aurocErrorBound(state) as number) + 1e-12);
      }),
    );
  });

  it('multiclass one-vs-rest: every class and the macro mean lie within their bounds', () => {
    const C = 3;
    const rowsOf = fc.array(
      fc.tuple(fc.array(score, { minLength: C, maxLength: C }), fc.integer({ min: 0, max: C - 1 })),
      {
        minLength: 2,
        maxLength: 40,
      },
    );
    fc.assert(
      fc.property(rowsOf, grid, (rows, g) => {
        const x = { data: Float64Array.from(rows.flatMap((r) => r[0])), shape: [rows.length, C] };
        const y = rows.map((r) => r[1]);
        const options = { scores: 'probabilities' as const, ...g };
        const per = aurocValue(aurocPartial(x, y, { ...options, average: 'none' })) as number[];
        const bounds = aurocErrorBound(aurocPartial(x, y, { ...options, average: 'none' })) as number[];
        const exact: number[] = [];
        for (let c = 0; c < C; c++) {
          const e = exactAuroc(
            rows.map((r) => r[0][c]!),
            y.map((t) => (t === c ? 1 : 0)),
          );
          exact.push(e);
          if (Number.isNaN(e)) expect(per[c]).toBeNaN();
          else expect(Math.abs(per[c]! - e)).toBeLessThanOrEqual(bounds[c]! + 1e-12);
        }
        const defined = exact.filter((e) => !Number.isNaN(e));
        if (defined.length === 0) return true;
        const macro = aurocPartial(x, y, options);
        const mean = defined.reduce((a, b) => a + b, 0) / defined.length;
        expect(Math.abs((aurocValue(macro) as number) - mean)).toBeLessThanOrEqual(
          (aurocErrorBound(macro) as number) + 1e-12,
        );
        return true;
      }),
    );
  });

  it('metricErrorBound gives auroc’s bound and nothing for exact metrics', () => {
    const s = aurocPartial([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], { scores: 'probabilities', thresholds: 2 });
    expect(metricErrorBound(s)).toBe(aurocErrorBound(s));
    expect(metricErrorBound(s)).toBeGreaterThan(0);
    expect(metricErrorBound(accuracyPartial([[1, 2]], [1]))).toBeUndefined();
  });
});
