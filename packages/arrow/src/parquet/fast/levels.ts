import { FastPathFallback } from './FastPathFallback.js';
import { MAX_WIDTH, packedValue, walkHybridRuns } from './hybridRuns.js';
import { PageCorruption } from './PageCorruption.js';
import type { RowStarts } from './RowStarts.js';

/**
 * Checks that all `count` definition levels in `buf[pos, end)` are `max` (no nulls, no empty
 * lists): one repeated run of `max` is checked at once, bit-packed runs whose width is all ones
 * byte by byte. Returns where the levels ended.
 *
 * @throws {FastPathFallback} at the first level below `max` (the chunk has nulls)
 */
export function requireDefined(
  buf: Uint8Array,
  pos: number,
  end: number,
  width: number,
  count: number,
  max: number,
): number {
  const allOnes = max === (1 << width) - 1;
  return walkHybridRuns(
    buf,
    pos,
    end,
    width,
    count,
    (value) => {
      if (value !== max) throw new FastPathFallback('nulls or empty lists');
    },
    (start, _first, length) => {
      let i = 0;
      if (allOnes) {
        const fullBytes = (length * width) >>> 3;
        for (let b = 0; b < fullBytes; b++) {
          if (buf[start + b] !== 0xff) throw new FastPathFallback('nulls or empty lists');
        }
        i = Math.floor((fullBytes * 8) / width);
      }
      for (; i < length; i++) {
        if (packedValue(buf, start, width, i) !== max) throw new FastPathFallback('nulls or empty lists');
      }
    },
  );
}

/**
 * Walks `count` repetition levels (of a list nested once: 0 starts a row, 1 continues it) and
 * adds the index of each row's first value, counted from `base`, to `starts`. Returns where the
 * levels ended. The runs are walked inline (no callback per run, as `walkHybridRuns` takes): a
 * list of 100 values is two or three runs, so a page of them is as many runs as values / 40.
 *
 * @throws {PageCorruption} on a level above 1, or a chunk whose first value continues a row
 */
export function collectRowStarts(
  buf: Uint8Array,
  pos: number,
  end: number,
  width: number,
  count: number,
  base: number,
  starts: RowStarts,
): number {
  if (width > MAX_WIDTH) throw new FastPathFallback(`bit width ${width}`);
  const valueBytes = (width + 7) >>> 3;
  let seen = 0;
  while (seen < count) {
    if (pos >= end) throw new PageCorruption('a level or index run is cut short');
    // A one-byte header (runs of up to 63 values, as most are) stays a small integer.
    const first = buf[pos++]!;
    let header = first & 0x7f;
    if (first >= 0x80) {
      for (let shift = 7; ; shift += 7) {
        if (pos >= end) throw new PageCorruption('a level or index run is cut short');
        const byte = buf[pos++]!;
        header += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) break;
        if (shift >= 28) throw new PageCorruption('a run header is too long');
      }
    }
    if (header % 2 === 1) {
      const groups = (header - 1) / 2;
      const bytes = groups * width;
      if (bytes > end - pos) throw new PageCorruption('a bit-packed run runs past its page');
      const length = Math.min(groups * 8, count - seen);
      if (width === 1) packedStarts1(buf, pos, length, base + seen, starts);
      else packedStarts(buf, pos, width, length, base + seen, starts);
      pos += bytes;
      seen += length;
    } else {
      const length = Math.min(header / 2, count - seen);
      if (valueBytes > end - pos) throw new PageCorruption('a repeated run runs past its page');
      let level = 0;
      for (let i = 0; i < valueBytes; i++) level += buf[pos + i]! * 2 ** (8 * i);
      pos += valueBytes;
      checkLevel(level, starts);
      if (level === 0) for (let i = 0; i < length; i++) starts.push(base + seen + i);
      seen += length;
    }
  }
  return pos;
}

/**
 * The rows starting in a bit-packed run of `length` one-bit repetition levels at byte `start`,
 * 32 levels a step: a row starts at each zero bit, found by counting trailing zeros of the word
 * inverted, so a word of continuations costs one test and a word with a row start one step per
 * row (bit by bit, a list of 100 values took 3 times the steps).
 */
function packedStarts1(
  buf: Uint8Array,
  start: number,
  length: number,
  first: number,
  starts: RowStarts,
): void {
  if (starts.length === 0 && length > 0 && (buf[start]! & 1) === 1) checkLevel(1, starts);
  const words = length >>> 5;
  for (let w = 0, at = start; w < words; w++, at += 4) {
    let zeros = ~(buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24));
    while (zeros !== 0) {
      starts.push(first + w * 32 + 31 - Math.clz32(zeros & -zeros));
      zeros &= zeros - 1;
    }
  }
  for (let i = words * 32; i < length; i++) {
    if (((buf[start + (i >>> 3)]! >>> (i & 7)) & 1) === 0) starts.push(first + i);
  }
}

/** The rows starting in a bit-packed run of `length` repetition levels at byte `start`. */
function packedStarts(
  buf: Uint8Array,
  start: number,
  width: number,
  length: number,
  first: number,
  starts: RowStarts,
): void {
  for (let i = 0; i < length; i++) {
    const level = packedValue(buf, start, width, i);
    if (level === 0) starts.push(first + i);
    else checkLevel(level, starts);
  }
}

function checkLevel(level: number, starts: RowStarts): void {
  if (level > 1) throw new PageCorruption(`repetition level ${level} in a list nested once`);
  if (level === 1 && starts.length === 0)
    throw new PageCorruption('the first value of a column chunk continues a row');
}
