import { PageCorruption } from './PageCorruption.js';

/**
 * Resolves dictionary indices `[from, to)` of a bit-packed run of `width`-bit indices (at most 24
 * bits, as `walkHybridRuns` allows) starting at byte `start` of `buf`: each index's value in
 * `dict` (`words` 32-bit words per value) is written to `out` from word `at` on. The bits are read
 * through one rolling accumulator, a byte at a time, rather than four bytes per index: this loop is
 * where a dictionary-encoded page spends its time (parquet-rs dictionary-encodes a column chunk's
 * first megabyte of values).
 *
 * @example
 * gatherPacked(page, runStart, 12, 0, 4096, dictionaryWords, 1, entries, out, 0);
 * @throws {PageCorruption} on an index past the dictionary's `entries`
 */
export function gatherPacked(
  buf: Uint8Array,
  start: number,
  width: number,
  from: number,
  to: number,
  dict: Int32Array,
  words: number,
  entries: number,
  out: Int32Array,
  at: number,
): void {
  if (from >= to) return;
  const mask = width === 0 ? 0 : 0xffffffff >>> (32 - width);
  const bit = from * width;
  let p = start + (bit >>> 3);
  // At most width + 7 ≤ 31 bits are held: `>>>` keeps the top one unsigned.
  let acc = 0;
  let have = 0;
  const skip = bit & 7;
  if (skip > 0) {
    acc = buf[p++]! >>> skip;
    have = 8 - skip;
  }
  let o = at;
  // One loop per value width, so neither tests it per index.
  if (words === 1) {
    for (let i = from; i < to; i++) {
      while (have < width) {
        acc |= buf[p++]! << have;
        have += 8;
      }
      const index = acc & mask;
      acc >>>= width;
      have -= width;
      if (index >= entries) throw badIndex(index, entries);
      out[o++] = dict[index]!;
    }
    return;
  }
  for (let i = from; i < to; i++) {
    while (have < width) {
      acc |= buf[p++]! << have;
      have += 8;
    }
    const index = acc & mask;
    acc >>>= width;
    have -= width;
    if (index >= entries) throw badIndex(index, entries);
    out[o++] = dict[2 * index]!;
    out[o++] = dict[2 * index + 1]!;
  }
}

function badIndex(index: number, entries: number): PageCorruption {
  return new PageCorruption(`dictionary index ${index} of a dictionary of ${entries} values`);
}
