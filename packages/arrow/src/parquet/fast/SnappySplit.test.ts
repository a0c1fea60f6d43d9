import { describe, expect, it } from 'vitest';
import { PageCorruption } from './PageCorruption.js';
import { SnappySplit } from './SnappySplit.js';
import { snappyLiterals } from './snappyLiterals.js';

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

const long = Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
const SIZE = 3 + 300 + 8 + 40 + 64 + 5 + 33;
/** Short and long literals, and copies with 1-, 2- and 4-byte offsets, overlapping and not. */
const INPUT = stream(
  SIZE,
  literal([1, 2, 3]),
  literal(long),
  [((8 - 4) << 2) | 1, 3],
  [((40 - 1) << 2) | 2, 300 & 0xff, 300 >>> 8],
  [((64 - 1) << 2) | 3, 351 & 0xff, 351 >>> 8, 0, 0],
  literal([9, 9, 9, 9, 9]),
  [((33 - 1) << 2) | 2, 5, 0],
);

describe('SnappySplit', () => {
  it('gives the bytes before the levels end and after it, as a whole decompression does, wherever they end', () => {
    const whole = new Uint8Array(SIZE);
    snappyLiterals(INPUT, whole);
    const split = new SnappySplit();
    for (let at = 0; at <= SIZE; at++) {
      // The end is known once `known` bytes are decompressed (never more than the levels).
      for (const known of new Set([0, Math.min(at, 4), at])) {
        const values = new Uint8Array(SIZE - at);
        const levels = split.decode(INPUT, SIZE, (_, have) => (have >= known ? at : undefined), values);
        expect(levels && Array.from(levels)).toEqual(Array.from(whole.subarray(0, at)));
        expect(Array.from(values)).toEqual(Array.from(whole.subarray(at)));
      }
    }
  });

  it('writes nothing and says so when the values are not exactly the bytes after the levels', () => {
    const split = new SnappySplit();
    for (const length of [SIZE - 9, SIZE - 11]) {
      const values = new Uint8Array(length).fill(0xee);
      expect(split.decode(INPUT, SIZE, () => 10, values)).toBeUndefined();
      expect(values.every((b) => b === 0xee)).toBe(true);
    }
  });

  it('finds damage: a wrong length, a cut stream, a copy before the start, levels past the page', () => {
    const split = new SnappySplit();
    const values = new Uint8Array(SIZE - 10);
    expect(() => split.decode(INPUT, SIZE + 1, () => 10, new Uint8Array(SIZE - 9))).toThrow(PageCorruption);
    expect(() => split.decode(INPUT.subarray(0, 200), SIZE, () => 10, values)).toThrow(PageCorruption);
    expect(() => split.decode(INPUT.subarray(0, 1), SIZE, () => 10, values)).toThrow(PageCorruption);
    const before = stream(8, literal([1, 2, 3, 4]), [((4 - 4) << 2) | 1, 5]);
    expect(() => split.decode(before, 8, () => 2, new Uint8Array(6))).toThrow(PageCorruption);
    expect(() => split.decode(INPUT, SIZE, () => SIZE + 1, new Uint8Array(0))).toThrow(PageCorruption);
    // Levels whose end is never told: cut short.
    expect(() => split.decode(INPUT, SIZE, () => undefined, values)).toThrow(PageCorruption);
  });
});
