import { describe, expect, it } from 'vitest';
import { naturalOrder } from './naturalOrder.js';

describe('naturalOrder', () => {
  it('compares digit runs as numbers, everything else by code unit', () => {
    const paths = [
      'd/epoch=10/p.arrows',
      'd/epoch=2/p.arrows',
      'd/epoch=2/p-10.arrows',
      'd/epoch=2/p-9.arrows',
    ];
    expect([...paths].sort(naturalOrder)).toEqual([
      'd/epoch=2/p-9.arrows',
      'd/epoch=2/p-10.arrows',
      'd/epoch=2/p.arrows',
      'd/epoch=10/p.arrows',
    ]);
  });

  it('is a total order: zero-padded spellings of one number are not equal', () => {
    expect(naturalOrder('a01', 'a1')).not.toBe(0);
    expect(Math.sign(naturalOrder('a01', 'a1'))).toBe(-Math.sign(naturalOrder('a1', 'a01')));
  });
});
