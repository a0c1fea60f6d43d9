import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FastPathFallback } from './FastPathFallback.js';
import { collectRowStarts, requireDefined } from './levels.js';
import { PageCorruption } from './PageCorruption.js';
import { RowStarts } from './RowStarts.js';

/** Levels as one bit-packed run of `width`-bit values (padded to groups of 8), its header a varint. */
function packed(levels: number[], width: number): Uint8Array {
  const groups = Math.ceil(levels.length / 8);
  const header: number[] = [];
  for (let h = (groups << 1) | 1; ; h >>>= 7) {
    if (h < 0x80) {
      header.push(h);
      break;
    }
    header.push((h & 0x7f) | 0x80);
  }
  const out = new Uint8Array(header.length + groups * width);
  out.set(header);
  levels.forEach((v, i) => {
    for (let b = 0; b < width; b++)
      if ((v >> b) & 1) out[header.length + ((i * width + b) >> 3)]! |= 1 << ((i * width + b) & 7);
  });
  return out;
}

describe('levels walked run by run', () => {
  it('row starts from repetition levels, rows spanning runs and pages, bulk 0xff bytes included', () => {
    const rows = [3, 20, 1, 9, 1, 1, 12];
    const levels = rows.flatMap((n) => [0, ...Array<number>(n - 1).fill(1)]);
    const starts = new RowStarts();
    // Split in two "pages" mid-row: the second continues the last row of the first.
    const cut = 30;
    collectRowStarts(packed(levels.slice(0, cut), 1), 0, Infinity, 1, cut, 0, starts);
    const rest = levels.slice(cut);
    collectRowStarts(packed(rest, 1), 0, Infinity, 1, rest.length, cut, starts);
    const expected = rows.map((_, r) => rows.slice(0, r).reduce((a, b) => a + b, 0));
    expect([...starts.view()]).toEqual(expected);
    // A repeated run of 0s: rows of one value each.
    starts.reset();
    collectRowStarts(Uint8Array.of(5 << 1, 0), 0, 2, 1, 5, 0, starts);
    expect([...starts.view()]).toEqual([0, 1, 2, 3, 4]);
  });

  it('row starts of long lists at every byte alignment, as a value-by-value walk finds them', () => {
    for (const lengths of [[100], [37, 100, 64, 33], [1, 300, 2, 31, 32, 33]]) {
      const levels: number[] = [];
      for (let r = 0; levels.length < 3000; r++) {
        const n = lengths[r % lengths.length]!;
        levels.push(0, ...Array<number>(n - 1).fill(1));
      }
      const expected = levels.flatMap((l, i) => (l === 0 ? [i] : []));
      // One bit-packed run, its header a varint (over 63 groups).
      const run = packed(levels, 1);
      for (let shift = 0; shift < 8; shift++) {
        // The run at each offset of a buffer (its words lie differently), and after a repeated run.
        const buf = new Uint8Array(shift + 2 + run.length);
        buf.set(Uint8Array.of(2 << 1, 0), shift);
        buf.set(run, shift + 2);
        const starts = new RowStarts();
        collectRowStarts(buf, shift, buf.length, 1, 2 + levels.length, 0, starts);
        expect([...starts.view()]).toEqual([0, 1, ...expected.map((s) => s + 2)]);
      }
    }
  });

  it('row starts of any one-bit levels, of any count cut inside the run, as a value-by-value walk finds them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 400, size: 'max' }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (gaps, cut, shift) => {
          // Rows of 1 to 41 values (`gaps` + 1), so words hold none, one or several row starts.
          const levels = gaps.flatMap((g) => [0, ...Array<number>(g).fill(1)]);
          const count = levels.length - (cut % Math.min(levels.length, 40));
          const run = packed(levels, 1);
          const buf = new Uint8Array(shift + run.length);
          buf.set(run, shift);
          const starts = new RowStarts();
          collectRowStarts(buf, shift, buf.length, 1, count, 5, starts);
          const expected = levels.slice(0, count).flatMap((l, i) => (l === 0 ? [i + 5] : []));
          expect([...starts.view()]).toEqual(expected);
        },
      ),
    );
  });

  it('a chunk that starts mid-row, a level above 1 or a run past its page is corrupt', () => {
    const starts = new RowStarts();
    expect(() => collectRowStarts(packed([1, 0], 1), 0, 2, 1, 2, 0, starts)).toThrow(PageCorruption);
    expect(() => collectRowStarts(packed([0, 2], 2), 0, 3, 2, 2, 0, new RowStarts())).toThrow(PageCorruption);
    expect(() => collectRowStarts(Uint8Array.of(9), 0, 1, 1, 8, 0, new RowStarts())).toThrow(PageCorruption);
  });

  it('definition levels: all at the maximum pass, any null hands the chunk on', () => {
    const all = Array<number>(21).fill(3);
    expect(requireDefined(packed(all, 2), 0, 7, 2, 21, 3)).toBe(7);
    expect(requireDefined(Uint8Array.of(21 << 1, 3), 0, 2, 2, 21, 3)).toBe(2);
    const withNull = [...all];
    withNull[17] = 2;
    expect(() => requireDefined(packed(withNull, 2), 0, 7, 2, 21, 3)).toThrow(FastPathFallback);
    expect(() => requireDefined(Uint8Array.of(4 << 1, 1), 0, 2, 1, 4, 0)).toThrow(FastPathFallback);
  });
});
