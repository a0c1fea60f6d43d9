import { describe, expect, it } from 'vitest';
import { errorBoundText, metricCell } from './metricOutput.js';

describe('metricCell', () => {
  it('prints NaN and infinities inside per-class lists and matrices as words, as for one number', () => {
    expect(metricCell([0.123456, Number.NaN, 1])).toBe('[0.1235,NaN,1]');
    expect(
      metricCell([
        [1, Number.POSITIVE_INFINITY],
        [Number.NaN, 0],
      ]),
    ).toBe('[[1,Infinity],[NaN,0]]');
    expect(metricCell(Number.NaN)).toBe('NaN');
  });
});

describe('errorBoundText', () => {
  it('rounds the bound up to 2 significant digits, so the printed bound still holds', () => {
    expect(errorBoundText(0.017050046)).toBe('± 0.018');
    expect(errorBoundText(0.0012)).toBe('± 0.0012');
    expect(errorBoundText(0)).toBe('± 0');
    expect(errorBoundText([0.5, Number.NaN])).toBe('± [0.5,NaN]');
    expect(errorBoundText(undefined)).toBe('');
  });
});
