import { describe, expect, it, vi } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatLoss } from './numberFormat.js';

describe('number formats', () => {
  it('groups counts', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
  });

  it('groups counts as toLocaleString does, without it (its first call loads ICU’s locale data)', () => {
    const values = [0, 7, 999, 1000, 12_345.6, -1234, -999, 2 ** 53 - 1, 1e15 + 3, 999_999.5];
    const expected = values.map((v) => Math.round(v).toLocaleString('en-US'));
    const spy = vi.spyOn(Number.prototype, 'toLocaleString');
    try {
      expect(values.map(formatCount)).toEqual(expected);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY.toLocaleString('en-US'));
  });

  it('gives sizes in decimal units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(11_720)).toBe('11.7 kB');
    expect(formatBytes(412_300_000)).toBe('412.3 MB');
    expect(formatBytes(4.2e9)).toBe('4.20 GB');
  });

  it('gives durations at a useful precision', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('prints losses with 7 significant digits, and non-finite values as torch does', () => {
    expect(formatLoss(0.8398476243019104)).toBe('0.8398476');
    expect(formatLoss(1.6910388469696045)).toBe('1.691039');
    expect(formatLoss(123.456789)).toBe('123.4568');
    expect(formatLoss(2.5e-7)).toBe('2.500000e-7');
    expect(formatLoss(0)).toBe('0');
    expect(formatLoss(Number.NaN)).toBe('nan');
    expect(formatLoss(Number.POSITIVE_INFINITY)).toBe('inf');
  });
});
