/**
 * The exact sums behind mae and rmse: correctly rounded (against Shewchuk's / Python's `fsum`
 * algorithm), and the same bits for any split of the terms into batches and any merge order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addAbsDifferences,
  addSquaredDifferences,
  EXACT_SUM_SIZE,
  exactSumValue,
  mergeExactSum,
} from './exactSum.js';
import { type MetricState, mergeMetricStates } from './MetricState.js';
import { mae, maePartial } from './mae.js';
import { finalizeMetric } from './metrics.js';
import { rmse, rmsePartial } from './rmse.js';

/** CPython's math.fsum (Shewchuk's partials with the half-even correction): a correctly rounded sum. */
function fsum(values: readonly number[]): number {
  const partials: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

const sumOf = (terms: Float64Array): number => {
  const s = new Float64Array(EXACT_SUM_SIZE);
  addAbsDifferences(s, 0, terms, new Float64Array(terms.length));
  return exactSumValue(s, 0);
};

/** float64 values across the whole exponent range (subnormals, huge, tiny), either sign. */
const anyFinite = fc.double({ noNaN: true, noDefaultInfinity: true });
/** The same below 1e300, where fsum's partials cannot overflow (it gives NaN then). */
const belowOverflow = fc.double({ noNaN: true, min: -1e300, max: 1e300 });

describe('exact sums', () => {
  it('round the exact sum once, ties to even', () => {
    expect(sumOf(Float64Array.of(2 ** 53, 1, 1))).toBe(2 ** 53 + 2);
    expect(sumOf(Float64Array.of(2 ** 53, 1))).toBe(2 ** 53);
    expect(sumOf(Float64Array.of(2 ** 53 + 2, 1))).toBe(2 ** 53 + 4);
    expect(sumOf(Float64Array.of(1e300, 1, 1e-300))).toBe(1e300);
    expect(sumOf(Float64Array.of(5e-324, 5e-324, 5e-324))).toBe(1.5e-323);
    expect(sumOf(Float64Array.of(Number.MAX_VALUE, Number.MAX_VALUE))).toBe(Number.POSITIVE_INFINITY);
    expect(sumOf(Float64Array.of(0, 0))).toBe(0);
    expect(sumOf(new Float64Array(0))).toBe(0);
  });

  it('equal math.fsum of the terms, with cancellation between signs', () => {
    fc.assert(
      fc.property(
        fc.array(belowOverflow, { maxLength: 40 }),
        fc.array(belowOverflow, { maxLength: 40 }),
        (pos, neg) => {
          // |x − 0| adds |x|; merging in the sum of another state's terms, negated digit-wise, subtracts.
          const a = new Float64Array(EXACT_SUM_SIZE);
          const b = new Float64Array(EXACT_SUM_SIZE);
          addAbsDifferences(a, 0, Float64Array.from(pos), new Float64Array(pos.length));
          addAbsDifferences(b, 0, Float64Array.from(neg), new Float64Array(neg.length));
          for (let k = 0; k < EXACT_SUM_SIZE - 3; k++) b[k] = -b[k]!;
          mergeExactSum(a, 0, b, 0);
          const want = fsum([...pos.map(Math.abs), ...neg.map((v) => -Math.abs(v))]);
          // fsum of negated zeros alone is −0; an exact sum of nothing but zeros is +0 (as MAE's).
          expect(exactSumValue(a, 0)).toBe(want + 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep ±∞ and give NaN for ∞ − ∞ terms', () => {
    const s = new Float64Array(EXACT_SUM_SIZE);
    addSquaredDifferences(s, 0, Float64Array.of(1e200, 1), Float64Array.of(0, 0));
    expect(exactSumValue(s, 0)).toBe(Number.POSITIVE_INFINITY);
    addAbsDifferences(
      s,
      0,
      Float64Array.of(Number.POSITIVE_INFINITY),
      Float64Array.of(Number.POSITIVE_INFINITY),
    );
    expect(exactSumValue(s, 0)).toBeNaN();
  });
});

/** Values, and cut points splitting them into batches. */
const splitValues = fc.integer({ min: 0, max: 60 }).chain((n) =>
  fc.record({
    x: fc.array(
      anyFinite.map((v) => v / 4),
      { minLength: n, maxLength: n },
    ),
    y: fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: n, maxLength: n }),
    cuts: fc
      .uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 5 })
      .map((c) => c.sort((a, b) => a - b)),
  }),
);

describe.each([
  ['mae', mae, maePartial],
  ['rmse', rmse, rmsePartial],
] as const)('%s over any batch split', (_, oneShot, partial) => {
  it('is bit-identical accumulated, merged in order or merged as a tree', () => {
    fc.assert(
      fc.property(splitValues, ({ x, y, cuts }) => {
        const X = Float64Array.from(x);
        const Y = Float64Array.from(y);
        const bounds = [0, ...cuts, X.length];
        const parts = bounds
          .slice(1)
          .map((b, i) => partial(X.subarray(bounds[i]!, b), Y.subarray(bounds[i]!, b)));
        let into: MetricState | undefined;
        for (let i = 1; i < bounds.length; i++)
          into = partial(
            X.subarray(bounds[i - 1]!, bounds[i]!),
            Y.subarray(bounds[i - 1]!, bounds[i]!),
            {},
            into,
          );
        const want = oneShot(X, Y);
        expect(finalizeMetric(into!)).toBe(want);
        expect(finalizeMetric(parts.reduce(mergeMetricStates))).toBe(want);
        expect(finalizeMetric(parts.reduceRight((a, b) => mergeMetricStates(b, a)))).toBe(want);
      }),
      { numRuns: 200 },
    );
  });

  it('is bit-identical for batch sizes over 2M float64 rows where a float sum drifts', () => {
    const n = 2_000_003;
    const X = new Float64Array(n);
    const Y = new Float64Array(n);
    let s = 7;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      X[i] = s / 2 ** 32;
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      Y[i] = (s / 2 ** 32) * 3;
    }
    const want = oneShot(X, Y);
    for (const size of [1, 65_536, 999_999]) {
      if (size === 1) {
        // Row by row over the first 50 000 rows: the same bits as those rows at once.
        let st: MetricState | undefined;
        for (let i = 0; i < 50_000; i++) st = partial(X.subarray(i, i + 1), Y.subarray(i, i + 1), {}, st);
        expect(finalizeMetric(st!)).toBe(oneShot(X.subarray(0, 50_000), Y.subarray(0, 50_000)));
        continue;
      }
      let st: MetricState | undefined;
      for (let i = 0; i < n; i += size)
        st = partial(X.subarray(i, i + size), Y.subarray(i, i + size), {}, st);
      expect(finalizeMetric(st!)).toBe(want);
    }
  });
});
