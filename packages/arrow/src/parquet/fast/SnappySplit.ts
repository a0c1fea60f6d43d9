import { PageCorruption } from './PageCorruption.js';

/** Literals and copies at least this long are moved with the engine's own memory copy. */
const BULK = 32;

/**
 * Where a v1 data page's levels end, from the first `have` decompressed bytes `head` (each kind of
 * level the column has: a 4-byte little-endian length, then that many bytes); `undefined` until
 * `have` bytes tell it.
 */
export type LevelsEnd = (head: Uint8Array, have: number) => number | undefined;

/**
 * A SNAPPY v1 data page decompressed in two places at once: its first bytes (the levels, which end
 * where `levelsEnd` says) into a buffer of its own, reused from page to page, and its values
 * straight into the caller's memory: no buffer the size of the page, and no second copy of its
 * values (a page decompressed whole is then copied where its values go). Written, as
 * `snappyLiterals` is, for pages that are mostly literals (float values compress little): long
 * literals and copies are native memory copies.
 *
 * @example
 * const split = new SnappySplit();
 * const levels = split.decode(page, size, levelsEnd, into.subarray(at, at + valueBytes));
 */
export class SnappySplit {
  #head: Uint8Array = new Uint8Array(4096);

  /**
   * Decompresses the Snappy stream `input` (its length varint first), which must decompress to
   * `size` bytes, into the levels (returned: a view valid until the next call) and `values`, which
   * must be exactly as long as the bytes after the levels; `undefined`, with nothing written to
   * `values`, when it is not.
   *
   * @throws {PageCorruption} when the stream, or the levels' lengths, contradict themselves
   */
  decode(input: Uint8Array, size: number, levelsEnd: LevelsEnd, values: Uint8Array): Uint8Array | undefined {
    const end = input.length;
    let ip = 0;
    let declared = 0;
    for (let shift = 0; ; shift += 7) {
      if (ip >= end || shift > 28) throw corrupt('its length is cut short');
      const byte = input[ip++]!;
      declared += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if (declared !== size)
      throw new PageCorruption(`a SNAPPY page says it holds ${declared} bytes, its header says ${size}`);
    let head: Uint8Array = this.#head;
    /** Where the levels end (the values start), once their lengths are decompressed. */
    let pos = -1;
    let op = 0;
    // Until the levels' end is known, every byte goes to the head (grown as needed); then the ones
    // past it move to `values`, and every later byte goes where its offset says.
    for (;;) {
      if (pos < 0) {
        const at = levelsEnd(head, op);
        if (at !== undefined) {
          if (at > size) throw new PageCorruption('the levels of a page run past it');
          if (size - at !== values.length) return undefined;
          pos = at;
          if (head.length < pos) head = this.#grow(pos, op);
          if (op > pos) values.set(head.subarray(pos, op), 0);
        }
      }
      if (ip >= end) break;
      const tag = input[ip++]!;
      const kind = tag & 3;
      let length: number;
      if (kind === 0) {
        length = tag >>> 2;
        if (length >= 60) {
          const extra = length - 59;
          if (ip + extra > end) throw corrupt('a literal length is cut short');
          length = 0;
          for (let i = extra - 1; i >= 0; i--) length = length * 256 + input[ip + i]!;
          ip += extra;
        }
        length += 1;
        if (length > end - ip || length > size - op) throw corrupt('a literal runs past its page');
        if (pos >= 0 && op >= pos) {
          const v = op - pos;
          if (length >= BULK) values.set(input.subarray(ip, ip + length), v);
          else for (let i = 0; i < length; i++) values[v + i] = input[ip + i]!;
        } else if (pos < 0 || op + length <= pos) {
          if (head.length < op + length) head = this.#grow(op + length, op);
          if (length >= BULK) head.set(input.subarray(ip, ip + length), op);
          else for (let i = 0; i < length; i++) head[op + i] = input[ip + i]!;
        } else {
          // Across the levels' end: byte by byte, each where its offset says.
          for (let i = 0; i < length; i++) {
            const o = op + i;
            if (o < pos) head[o] = input[ip + i]!;
            else values[o - pos] = input[ip + i]!;
          }
        }
        ip += length;
        op += length;
        continue;
      }
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
      if (pos >= 0 && from >= pos) {
        const v = op - pos;
        const f = from - pos;
        if (offset >= length && length >= BULK) values.copyWithin(v, f, f + length);
        else for (let i = 0; i < length; i++) values[v + i] = values[f + i]!;
      } else if (pos < 0 || op + length <= pos) {
        if (head.length < op + length) head = this.#grow(op + length, op);
        if (offset >= length && length >= BULK) head.copyWithin(op, from, from + length);
        else for (let i = 0; i < length; i++) head[op + i] = head[from + i]!;
      } else {
        for (let i = 0; i < length; i++) {
          const o = op + i;
          const f = from + i;
          const byte = f < pos ? head[f]! : values[f - pos]!;
          if (o < pos) head[o] = byte;
          else values[o - pos] = byte;
        }
      }
      op += length;
    }
    if (op !== size) throw corrupt(`it holds ${op} bytes, its header says ${size}`);
    if (pos < 0) throw new PageCorruption('the levels of a page are cut short');
    return head.subarray(0, pos);
  }

  /** The head grown to hold `n` bytes, its first `have` kept. */
  #grow(n: number, have: number): Uint8Array {
    const grown = new Uint8Array(Math.max(n, 2 * this.#head.length));
    grown.set(this.#head.subarray(0, have));
    this.#head = grown;
    return grown;
  }
}

function corrupt(detail: string): PageCorruption {
  return new PageCorruption(`a SNAPPY page does not decompress: ${detail}`);
}
