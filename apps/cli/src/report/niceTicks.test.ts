import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { niceTicks, tickLabel } from './niceTicks.js';

describe('niceTicks', () => {
  it('picks round steps that cover the range', () => {
    expect(niceTicks(0.183, 1.69, 5).values).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(0, 999_999, 7).values).toEqual([0, 200_000, 400_000, 600_000, 800_000, 1_000_000]);
    expect(niceTicks(0.1, 0.3, 3).values).toEqual([0.1, 0.2, 0.3]);
  });

  it('widens a degenerate or non-finite range', () => {
    expect(niceTicks(2, 2).values.length).toBeGreaterThan(1);
    expect(niceTicks(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY).values).toEqual([
      0, 0.2, 0.4, 0.6, 0.8, 1,
    ]);
  });

  it('covers a range whose ends the tick rounding would otherwise move inside it', () => {
    const min = 999999.9999999999;
    const max = min + 0.000015000056009739639;
    const t = niceTicks(min, max, 6);
    expect(t.min).toBeLessThanOrEqual(min);
    expect(t.max).toBeGreaterThanOrEqual(max);
    for (let i = 1; i < t.values.length; i++) expect(t.values[i]!).toBeGreaterThan(t.values[i - 1]!);
  });

  it('always covers [min, max] with a handful of increasing ticks', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        (min, span) => {
          const t = niceTicks(min, min + span, 6);
          expect(t.min).toBeLessThanOrEqual(min);
          expect(t.max).toBeGreaterThanOrEqual(min + span);
          expect(t.values.length).toBeGreaterThanOrEqual(2);
          expect(t.values.length).toBeLessThanOrEqual(14);
          for (let i = 1; i < t.values.length; i++) expect(t.values[i]!).toBeGreaterThan(t.values[i - 1]!);
        },
      ),
    );
  });
});

describe('tickLabel', () => {
  it('uses the decimals the step needs and k/M for large round values', () => {
    expect(tickLabel(0.5, 0.5)).toBe('0.5');
    expect(tickLabel(1, 0.05)).toBe('1.00');
    expect(tickLabel(200_000, 200_000)).toBe('200k');
    expect(tickLabel(3_000_000, 1_000_000)).toBe('3M');
    expect(tickLabel(40, 20)).toBe('40');
  });
});
