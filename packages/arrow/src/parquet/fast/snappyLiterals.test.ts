import { describe, expect, it } from 'vitest';
import { PageCorruption } from './PageCorruption.js';
import { snappyInPlace, snappyLiterals } from './snappyLiterals.js';

/** A Snappy stream: the length varint, then the elements' bytes as given. */
function stream(size: number, ...elements: number[][]): Uint8Array {
  const head: number[] = [];
  for (let n = size; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      head.push(n);
      break;
    }
    head.push((n % 128) | 0x80);
  }
  return Uint8Array.from([...head, ...elements.flat()]);
}

/** A literal element of `bytes`. */
function literal(bytes: number[]): number[] {
  const n = bytes.length - 1;
  if (n < 60) return [n << 2, ...bytes];
  return [61 << 2, n & 0xff, n >>> 8, ...bytes];
}

describe('snappyLiterals', () => {
  it('decodes short and long literals, and copies with 1-, 2- and 4-byte offsets, overlapping too', () => {
    const long = Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const input = stream(
      3 + 300 + 8 + 40 + 64 + 5,
      literal([1, 2, 3]),
      literal(long),
      // copy 1-byte offset: length 8 ((1 << 2) | 1 = length 4 + 4), offset 3: repeats the last 3 bytes.
      [((8 - 4) << 2) | 1, 3],
      // copy 2-byte offset: length 40 from 300 bytes back.
      [((40 - 1) << 2) | 2, 300 & 0xff, 300 >>> 8],
      // copy 4-byte offset: length 64 from 351 bytes back (not overlapping: a bulk copy).
      [((64 - 1) << 2) | 3, 351 & 0xff, 351 >>> 8, 0, 0],
      literal([9, 9, 9, 9, 9]),
    );
    const out = new Uint8Array(3 + 300 + 8 + 40 + 64 + 5);
    snappyLiterals(input, out);
    const want: number[] = [1, 2, 3, ...long];
    for (let i = 0; i < 8; i++) want.push(want[want.length - 3]!);
    for (let i = 0; i < 40; i++) want.push(want[want.length - 300]!);
    for (let i = 0; i < 64; i++) want.push(want[want.length - 351]!);
    want.push(9, 9, 9, 9, 9);
    expect(Array.from(out)).toEqual(want);
  });

  it('decodes in place, the stream at the end of the output, and refuses before a write would overtake it', () => {
    const long = Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff);
    const size = 1000 + 8 + 1000;
    const input = stream(size, literal(long), [((8 - 4) << 2) | 1, 5], literal(long));
    const want = new Uint8Array(size);
    snappyLiterals(input, want);
    for (const margin of [0, 16, 4096]) {
      const memory = new Uint8Array(100 + size + margin).fill(7);
      const at = 100 + size + margin - input.length;
      memory.set(input, at);
      // No margin: the last literal's 3 header bytes are more than the output has left to grow.
      expect(snappyInPlace(memory, at, input.length, 100, size)).toBe(margin > 0);
      if (margin > 0)
        expect(Buffer.compare(Buffer.from(memory.subarray(100, 100 + size)), Buffer.from(want))).toBe(0);
    }
    // Mostly copies, the stream near the output's start: the first copy would overwrite the stream
    // bytes after it, so it is refused before it writes.
    const copies = stream(4 + 64 * 30, literal([1, 2, 3, 4]), ...Array(30).fill([((64 - 1) << 2) | 2, 4, 0]));
    const memory = new Uint8Array(4 + 64 * 30);
    memory.set(copies, 10);
    const before = memory.slice();
    expect(snappyInPlace(memory, 10, copies.length, 0, 4 + 64 * 30)).toBe(false);
    expect(Buffer.compare(Buffer.from(memory.subarray(17)), Buffer.from(before.subarray(17)))).toBe(0);
  });

  it.each([
    ['a copy before the first byte', stream(8, literal([1]), [((4 - 4) << 2) | 1, 2])],
    ['an offset of 0', stream(5, literal([1]), [((4 - 4) << 2) | 1, 0])],
    ['a literal past the input', stream(10, [9 << 2, 1, 2])],
    ['fewer bytes than the header says', stream(4, literal([1, 2, 3]))],
    ['more bytes than the header says', stream(2, literal([1, 2, 3]))],
    ['a cut copy', stream(8, literal([1, 2, 3, 4]), [2])],
  ])('fails with PageCorruption on %s', (_, input) => {
    const size = input[0]!;
    expect(() => snappyLiterals(input, new Uint8Array(size))).toThrow(PageCorruption);
  });
});
