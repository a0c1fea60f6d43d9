import { PageCorruption } from './PageCorruption.js';

/** Literals and copies at least this long are moved with the engine's own memory copy. */
const BULK = 32;

/**
 * Decompresses the Snappy stream `input` (its length varint first) into `output`, which must be
 * exactly as long as the stream says. Written for pages that are mostly literals (float values
 * compress little): a long literal or copy is one native memory copy (`set`, `copyWithin`),
 * several times faster there than the WebAssembly decompressor's byte loop; short ones are copied
 * byte by byte.
 *
 * @example
 * snappyLiterals(page, new Uint8Array(uncompressedSize));
 * @throws {PageCorruption} when the stream does not decode to exactly `output.length` bytes
 */
export function snappyLiterals(input: Uint8Array, output: Uint8Array): void {
  decode(input, 0, input.length, output, 0, output.length, false);
}

/**
 * {@link snappyLiterals} within one buffer: the stream at `memory[input, input + length)` decoded
 * to `memory[output, output + size)`, where the stream sits at the end of (or past) the output,
 * so a page needs about its decompressed size, not both sizes. Every write is checked to stay
 * behind the stream bytes not yet read; where one would not, nothing is written and it returns
 * false (the stream is then no longer whole: read the page again and use {@link snappyLiterals}).
 *
 * @throws {PageCorruption} when the stream does not decode to exactly `size` bytes
 */
export function snappyInPlace(
  memory: Uint8Array,
  input: number,
  length: number,
  output: number,
  size: number,
): boolean {
  return decode(memory, input, input + length, memory, output, size, true);
}

function decode(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  base: number,
  size: number,
  inPlace: boolean,
): boolean {
  let ip = start;
  for (let shift = 0; ; shift += 7) {
    if (ip >= end || shift > 28) throw corrupt('its length is cut short');
    const byte = src[ip++]!;
    if (byte < 0x80) break;
  }
  const limit = base + size;
  let op = base;
  while (ip < end) {
    const tag = src[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >>> 2;
      if (length >= 60) {
        const extra = length - 59;
        if (ip + extra > end) throw corrupt('a literal length is cut short');
        length = 0;
        for (let i = extra - 1; i >= 0; i--) length = length * 256 + src[ip + i]!;
        ip += extra;
      }
      length += 1;
      if (length > end - ip || length > limit - op) throw corrupt('a literal runs past its page');
      // Behind the literal's own bytes: copying forward (memmove) reads each before it is written.
      if (inPlace && op > ip) return false;
      if (inPlace) dst.copyWithin(op, ip, ip + length);
      else if (length >= BULK) dst.set(src.subarray(ip, ip + length), op);
      else for (let i = 0; i < length; i++) dst[op + i] = src[ip + i]!;
      ip += length;
      op += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (ip >= end) throw corrupt('a copy is cut short');
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[ip++]!;
    } else if (kind === 2) {
      if (ip + 2 > end) throw corrupt('a copy is cut short');
      length = (tag >>> 2) + 1;
      offset = src[ip]! | (src[ip + 1]! << 8);
      ip += 2;
    } else {
      if (ip + 4 > end) throw corrupt('a copy is cut short');
      length = (tag >>> 2) + 1;
      offset = (src[ip]! | (src[ip + 1]! << 8) | (src[ip + 2]! << 16) | (src[ip + 3]! << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op - base || length > limit - op)
      throw corrupt('a copy reaches outside its page');
    if (inPlace && op + length > ip) return false;
    const from = op - offset;
    // An overlapping copy repeats the last `offset` bytes: byte by byte, as the format means it.
    if (offset >= length && length >= BULK) dst.copyWithin(op, from, from + length);
    else for (let i = 0; i < length; i++) dst[op + i] = dst[from + i]!;
    op += length;
  }
  if (op !== limit) throw corrupt(`it holds ${op - base} bytes, its header says ${size}`);
  return true;
}

function corrupt(detail: string): PageCorruption {
  return new PageCorruption(`a SNAPPY page does not decompress: ${detail}`);
}
