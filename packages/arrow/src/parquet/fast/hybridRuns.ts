import { FastPathFallback } from './FastPathFallback.js';
import { PageCorruption } from './PageCorruption.js';

/** Widest bit width walked here (dictionary indices of up to 16M entries); wider ones fall back. */
export const MAX_WIDTH = 24;

/**
 * Walks `count` values of Parquet's RLE/bit-packed hybrid encoding in `buf[pos, end)` run by run:
 * `onRun(value, first, length)` for each repeated run and `onPacked(byteStart, first, length)` for
 * each bit-packed run (its values unpack with {@link packedValue}); `first` counts values from 0.
 * Returns where the runs ended. Every run moves forward, so damaged bytes end the walk (with
 * `PageCorruption`) rather than loop.
 */
export function walkHybridRuns(
  buf: Uint8Array,
  pos: number,
  end: number,
  width: number,
  count: number,
  onRun: (value: number, first: number, length: number) => void,
  onPacked: (byteStart: number, first: number, length: number) => void,
): number {
  if (width > MAX_WIDTH) throw new FastPathFallback(`bit width ${width}`);
  const valueBytes = (width + 7) >>> 3;
  let seen = 0;
  while (seen < count) {
    let header = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) throw new PageCorruption('a level or index run is cut short');
      const byte = buf[pos++]!;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift > 28) throw new PageCorruption('a run header is too long');
    }
    if (header % 2 === 1) {
      const groups = Math.floor(header / 2);
      const bytes = groups * width;
      if (bytes > end - pos) throw new PageCorruption('a bit-packed run runs past its page');
      const length = Math.min(groups * 8, count - seen);
      onPacked(pos, seen, length);
      pos += bytes;
      seen += length;
    } else {
      const length = Math.min(header / 2, count - seen);
      if (valueBytes > end - pos) throw new PageCorruption('a repeated run runs past its page');
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value += buf[pos + i]! * 2 ** (8 * i);
      pos += valueBytes;
      onRun(value, seen, length);
      seen += length;
    }
  }
  return pos;
}

/** Value `i` of a bit-packed run of `width`-bit values starting at byte `start`. */
export function packedValue(buf: Uint8Array, start: number, width: number, i: number): number {
  const bit = i * width;
  const at = start + (bit >>> 3);
  // Past the buffer's end reads undefined, which `|` takes as 0: the bits are never used.
  const word = buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24);
  return (word >>> (bit & 7)) & ((1 << width) - 1);
}

/** Bits per level for levels up to `max`. */
export function levelWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}
