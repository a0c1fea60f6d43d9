import { describe, expect, it } from 'vitest';
import { gatherPacked } from './gatherPacked.js';
import { packedValue } from './hybridRuns.js';
import { PageCorruption } from './PageCorruption.js';

/** `indices` bit-packed at `width` bits each, as a Parquet bit-packed run lays them out. */
function pack(indices: number[], width: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((indices.length * width) / 8) + 1);
  indices.forEach((v, i) => {
    for (let b = 0; b < width; b++)
      if ((v >> b) & 1) out[(i * width + b) >> 3]! |= 1 << ((i * width + b) & 7);
  });
  return out;
}

describe('dictionary indices of a bit-packed run resolved into values', () => {
  it('gives each index its value, from any index on, for every width up to 24 and 4- and 8-byte values', () => {
    for (let width = 0; width <= 24; width++) {
      // Up to 2^20 entries (a 2^24-entry dictionary is too big to build here): indices use the top bits below 21.
      const entries = Math.min(2 ** width, 1 << 20);
      const indices = Array.from({ length: 64 }, (_, i) => ((i * 2_654_435_761) % entries) >>> 0);
      const bytes = pack(indices, width);
      const dict = Int32Array.from({ length: 2 * entries }, (_, i) => i * 3 + 1);
      for (const words of [1, 2]) {
        for (const [from, to] of [
          [0, 64],
          [5, 37],
          [63, 64],
        ] as const) {
          const out = new Int32Array(words * (to - from) + 2);
          gatherPacked(bytes, 0, width, from, to, dict, words, entries, out, 1);
          for (let i = from; i < to; i++) {
            const index = packedValue(bytes, 0, width, i);
            expect(index).toBe(indices[i]);
            for (let w = 0; w < words; w++)
              expect(out[1 + words * (i - from) + w], `width ${width}, index ${i}`).toBe(
                dict[words * index + w],
              );
          }
        }
      }
    }
  });

  it('an index past the dictionary is corrupt', () => {
    const bytes = pack([1, 2, 9], 4);
    const dict = new Int32Array(8);
    expect(() => gatherPacked(bytes, 0, 4, 0, 3, dict, 1, 8, new Int32Array(3), 0)).toThrow(PageCorruption);
  });
});
