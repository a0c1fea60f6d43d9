import { describe, expect, it } from 'vitest';
import { SameSizeLevels } from './SameSizeLevels.js';

/** Levels bytes `[0, ...levels]` at offset 3 of a bigger buffer, as a page holds them. */
function inPage(levels: number[]): Uint8Array {
  return new Uint8Array([9, 9, 9, ...levels, 9]);
}

describe('SameSizeLevels', () => {
  const levels = [0x13, 0xfe, 0x03, 0x14, 0x01, 0xfe, 0x03, 0x14, 0x01];

  it('knows a page whose levels are byte for byte those proven, with as many values, in the same phase', () => {
    const proofs = new SameSizeLevels(10);
    const page = inPage(levels);
    expect(proofs.has(page, 3, 3 + levels.length, 1000, 2000)).toBe(false);
    proofs.add(page, 3, 3 + levels.length, 1000, 2000);
    // Another buffer, another offset: only the bytes count.
    const copy = new Uint8Array([...levels]);
    expect(proofs.has(copy, 0, levels.length, 1000, 3000)).toBe(true);
    expect(proofs.has(inPage(levels), 3, 3 + levels.length, 1000, 10)).toBe(true);
  });

  it.each([
    ['one byte differs', { byte: 4 }],
    ['one byte fewer', { length: -1 }],
    ['another value count', { count: 1001 }],
    ['another phase in the list', { values: 2001 }],
    ['the chunk’s first page (its first value must start a row)', { values: 0 }],
  ])(
    'does not know a page when %s',
    (_, change: { byte?: number; length?: number; count?: number; values?: number }) => {
      const proofs = new SameSizeLevels(10);
      proofs.add(inPage(levels), 3, 3 + levels.length, 1000, 2000);
      const page = inPage(levels);
      if (change.byte !== undefined) page[change.byte] = page[change.byte]! ^ 0x02;
      const end = 3 + levels.length + (change.length ?? 0);
      expect(proofs.has(page, 3, end, change.count ?? 1000, change.values ?? 2000)).toBe(false);
    },
  );

  it('compares long levels word by word and their tail byte by byte, aligned or not', () => {
    const long = Array.from({ length: 4099 }, (_, i) => (i * 37) & 0xff);
    const proofs = new SameSizeLevels(100);
    proofs.add(new Uint8Array(long), 0, long.length, 26_300, 0);
    for (const offset of [0, 1, 4]) {
      const page = new Uint8Array(offset + long.length);
      page.set(long, offset);
      expect(proofs.has(page, offset, offset + long.length, 26_300, 0)).toBe(true);
      for (const at of [0, 2048, long.length - 1]) {
        page[offset + at] = page[offset + at]! ^ 0x80;
        expect(
          proofs.has(page, offset, offset + long.length, 26_300, 0),
          `offset ${offset}, byte ${at}`,
        ).toBe(false);
        page[offset + at] = page[offset + at]! ^ 0x80;
      }
    }
  });

  it('keeps the last eight encodings', () => {
    const proofs = new SameSizeLevels(10);
    for (let count = 1; count <= 9; count++) proofs.add(inPage(levels), 3, 3 + levels.length, count * 10, 0);
    expect(proofs.has(inPage(levels), 3, 3 + levels.length, 10, 0)).toBe(false);
    for (let count = 2; count <= 9; count++)
      expect(proofs.has(inPage(levels), 3, 3 + levels.length, count * 10, 0)).toBe(true);
  });
});
