import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expNonPositive } from './exp.js';

describe('expNonPositive', () => {
  it('is within 2 ulp (4.5e-16 relative) of Math.exp on [−708, 0]', () => {
    fc.assert(
      fc.property(fc.double({ min: -708, max: 0, noNaN: true }), (x) => {
        const want = Math.exp(x);
        return Math.abs(expNonPositive(x) - want) <= 4.5e-16 * want;
      }),
      { numRuns: 20000 },
    );
  });

  it('matches Math.exp exactly at the edges', () => {
    for (const x of [0, -0, Number.NEGATIVE_INFINITY, Number.NaN, -745, -800, -708.5, 1, 710]) {
      expect(expNonPositive(x)).toBe(Math.exp(x));
    }
  });
});
