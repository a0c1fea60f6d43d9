import { describe, expect, it } from 'vitest';
import { lossColumnFormat } from './lossColumnFormat.js';

describe('lossColumnFormat', () => {
  it('gives every value the decimals 7 significant digits of the smallest magnitude need', () => {
    const f = lossColumnFormat([1.6910387, 0.2215476, 12.5]);
    expect([1.6910387, 0.2215476, 12.5].map(f)).toEqual(['1.6910387', '0.2215476', '12.5000000']);
  });

  it('switches the whole column to exponents for tiny or huge magnitudes; nan and inf as torch prints them', () => {
    const f = lossColumnFormat([1e-9, 0.5, Number.NaN]);
    expect([1e-9, 0.5].map(f)).toEqual(['1.000000e-9', '5.000000e-1']);
    expect(f(Number.NaN)).toBe('nan');
    expect(f(Number.POSITIVE_INFINITY)).toBe('inf');
  });
});
