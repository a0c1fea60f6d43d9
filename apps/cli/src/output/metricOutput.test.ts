import { describe, expect, it } from 'vitest';
import { boundedCell, errorBoundText, metricCell } from './metricOutput.js';

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

describe('boundedCell', () => {
  it('grows the bound by the printed value’s rounding, so the exact value lies within what is printed', () => {
    // auroc 0.782279… ± 0.00002 printed with 4 decimals: 0.7823 ± 0.00002 would exclude the exact value.
    const value = 0.78229;
    const exact = 0.782279;
    const text = boundedCell('0.7823', value, 0.00002);
    const [shown, bound] = text.split(' ± ').map(Number) as [number, number];
    expect(Math.abs(exact - shown)).toBeLessThanOrEqual(bound);
    expect(text).toBe('0.7823 ± 0.00003');
    // Per class: each element's own rounding (4 significant digits); NaN adds nothing.
    expect(boundedCell('[0.5,NaN]', [0.50004, Number.NaN], [0, 0.1])).toBe('[0.5,NaN] ± [0.00004,0.1]');
    expect(boundedCell('0.5', 0.5, undefined)).toBe('0.5');
  });
});
