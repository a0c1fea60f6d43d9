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
  const end = input.length;
  const size = output.length;
  let ip = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= end || shift > 28) throw corrupt('its length is cut short');
    const byte = input[ip++]!;
    if (byte < 0x80) break;
  }
  let op = 0;
  while (ip < end) {
    const tag = input[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >>> 2;
      if (length >= 60) {
        const extra = length - 59;
        if (ip + extra > end) throw corrupt('a literal length is cut short');
        length = 0;
        for (let i = extra - 1; i >= 0; i--) length = length * 256 + input[ip + i]!;
        ip += extra;
      }
      length += 1;
      if (length > end - ip || length > size - op) throw corrupt('a literal runs past its page');
      if (length >= BULK) output.set(input.subarray(ip, ip + length), op);
      else for (let i = 0; i < length; i++) output[op + i] = input[ip + i]!;
      ip += length;
      op += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (ip >= end) throw corrupt('a copy is cut short');
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[ip++]!;
    } else if (kind === 2) {
      if (ip + 2 > end) throw corrupt('a copy is cut short');
      length = (tag >>> 2) + 1;
      offset = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
    } else {
      if (ip + 4 > end) throw corrupt('a copy is cut short');
      length = (tag >>> 2) + 1;
      offset = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16) | (input[ip + 3]! << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op || length > size - op) throw corrupt('a copy reaches outside its page');
    const from = op - offset;
    // An overlapping copy repeats the last `offset` bytes: byte by byte, as the format means it.
    if (offset >= length && length >= BULK) output.copyWithin(op, from, from + length);
    else for (let i = 0; i < length; i++) output[op + i] = output[from + i]!;
    op += length;
  }
  if (op !== size) throw corrupt(`it holds ${op} bytes, its header says ${size}`);
}

function corrupt(detail: string): PageCorruption {
  return new PageCorruption(`a SNAPPY page does not decompress: ${detail}`);
}
