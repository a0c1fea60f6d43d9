import type { ReadAt } from '../ReadAt.js';
import { PageCorruption } from './PageCorruption.js';

/** Snappy compressors (google's, the `snap` crate) compress 64 KiB blocks of input independently. */
const BLOCK = 65_536;
/** Compressed bytes read from the file at a time. */
const WINDOW = 1 << 20;
/** Pages whose block starts are remembered, at most (two numbers a block). */
const KNOWN_PAGES = 64;

/**
 * Byte ranges of big SNAPPY pages decompressed straight from the file, a 64 KiB block at a time,
 * into the caller's memory: no buffer the size of the page (a 1M-row row group's page is over
 * 100 MB, and every thread would hold its own), and each thread decompresses only the blocks of
 * its own rows. Blocks before the range are stepped over by their tags alone (literal bytes are
 * skipped, not read into anything), and where blocks start in the compressed stream is remembered
 * per page, so the next range of the same page starts at its own block.
 *
 * Relies on what every Snappy compressor in use does: a copy never reaches back past the start
 * of its 64 KiB block. A stream whose copies do (the format allows it) makes {@link read} return
 * false: decompress such a page whole.
 *
 * @example
 * const ranges = new SnappyRanges(readAt);
 * if (!ranges.read(bodyAt, compressed, uncompressed, from, to, into)) decompressWhole();
 * @throws {PageCorruption} when the stream is cut short or does not decode to its declared size
 */
export class SnappyRanges {
  #window = new Uint8Array(0);
  /** File positions of the window's first byte and the one after its last. */
  #windowAt = 0;
  #windowEnd = 0;
  readonly #block = new Uint8Array(BLOCK);
  /** By page position: pairs of (file position of a tag, output position) at block starts, ascending. */
  readonly #starts = new Map<number, number[]>();
  /** The last tag parsed (see #tag): its output bytes, and a copy's offset (−1: a literal). */
  #length = 0;
  #offset = -1;

  constructor(private readonly readAt: ReadAt) {}

  /**
   * Output bytes `[from, to)` of the SNAPPY stream of `length` bytes at file position `at` that
   * decompresses to `size` bytes, into `into` (`to − from` bytes). False, with `into` partly
   * written, when the stream's copies reach across blocks.
   *
   * @throws {PageCorruption} when the stream is damaged or cut short
   */
  read(at: number, length: number, size: number, from: number, to: number, into: Uint8Array): boolean {
    if (!(0 <= from && from <= to && to <= size) || into.length < to - from)
      throw new PageCorruption(`bytes ${from} to ${to} of a page of ${size}`);
    if (from === to) return true;
    const end = at + length;
    const starts = this.#starts.get(at) ?? this.#begin(at, end, size);
    const first = from - (from % BLOCK);
    // The last known block start at or before the range's first block.
    let k = starts.length - 2;
    while (k > 0 && starts[k + 1]! > first) k -= 2;
    let ip = starts[k]!;
    let op = starts[k + 1]!;
    if (op < first) {
      ip = this.#skip(starts, ip, op, first, end, size);
      if (ip < 0) return false;
      op = first;
    }
    // Then block by block: a block inside the range decompressed where its bytes go, one the range
    // starts or ends in into the block buffer, its part of the range copied out.
    while (op < to) {
      const blockEnd = Math.min(op + BLOCK, size);
      const direct = op >= from && blockEnd <= to;
      ip = this.#decodeBlock(
        ip,
        op,
        blockEnd,
        direct ? into : this.#block,
        direct ? op - from : 0,
        end,
        size,
      );
      if (ip < 0) return false;
      if (blockEnd % BLOCK === 0) learn(starts, ip, blockEnd);
      if (!direct) {
        const a = Math.max(from, op);
        const b = Math.min(to, blockEnd);
        if (a < b) into.set(this.#block.subarray(a - op, b - op), a - from);
      }
      op = blockEnd;
    }
    if (to === size && ip !== end) throw corrupt(`it has bytes after its ${size}`);
    return true;
  }

  /** Reads the length a page's stream starts with and remembers where its first block starts. */
  #begin(at: number, end: number, size: number): number[] {
    let ip = at;
    let declared = 0;
    for (let shift = 0; ; shift += 7) {
      if (ip >= end || shift > 28) throw corrupt('its length is cut short');
      const byte = this.#byte(ip++, end);
      declared += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if (declared !== size)
      throw new PageCorruption(`a SNAPPY page says it holds ${declared} bytes, its header says ${size}`);
    if (this.#starts.size >= KNOWN_PAGES) this.#starts.clear();
    const starts = [ip, 0];
    this.#starts.set(at, starts);
    return starts;
  }

  /**
   * Steps over whole blocks from the tag at `ip` (output position `op`) to output position
   * `first` by their tags alone; the stream position there, or −1 when a tag crosses a block start
   * (the stream is not cut in blocks).
   */
  #skip(starts: number[], ip: number, op: number, first: number, end: number, size: number): number {
    while (op < first) {
      if (ip >= end) throw corrupt(`it holds ${op} bytes, its header says ${size}`);
      ip = this.#tag(ip, end);
      const n = this.#length;
      if (this.#offset < 0) {
        if (n > end - ip) throw corrupt('a literal runs past its page');
        ip += n;
      }
      if (n > size - op) throw corrupt('it runs past its declared size');
      const before = op;
      op += n;
      if (Math.floor(before / BLOCK) !== Math.floor((op - 1) / BLOCK) && op % BLOCK !== 0) return -1;
      if (op % BLOCK === 0) learn(starts, ip, op);
    }
    return ip;
  }

  /**
   * Decompresses the block of output `[op, blockEnd)` from the tag at `ip` into `block` from `bp`
   * on; the stream position after it, or −1 when a tag reaches outside the block.
   */
  #decodeBlock(
    ip: number,
    op: number,
    blockEnd: number,
    block: Uint8Array,
    bp: number,
    end: number,
    size: number,
  ): number {
    const base = bp;
    while (op < blockEnd) {
      if (ip >= end) throw corrupt(`it holds ${op} bytes, its header says ${size}`);
      ip = this.#tag(ip, end);
      const n = this.#length;
      const offset = this.#offset;
      if (offset < 0) {
        if (n > end - ip) throw corrupt('a literal runs past its page');
        if (n > blockEnd - op) return -1;
        this.#copyOut(ip, n, block, bp, end);
        ip += n;
        op += n;
        bp += n;
        continue;
      }
      if (offset === 0 || offset > op) throw corrupt('a copy reaches outside its page');
      if (offset > bp - base || n > blockEnd - op) return -1;
      repeatCopy(block, bp, offset, n);
      op += n;
      bp += n;
    }
    return ip;
  }

  /**
   * Parses the tag at stream position `ip` (with the bytes of its length or offset): its output
   * bytes into {@link #length}, a copy's offset into {@link #offset} (−1 for a literal); returns
   * where the literal's bytes, or the next tag, start. One place reads tags through the window, so
   * the engine compiles it once (inlined everywhere, the window checks made the loops slow to
   * compile, and compiled again on every branch first taken).
   */
  #tag(ip: number, end: number): number {
    const need = Math.min(5, end - ip);
    if (ip < this.#windowAt || ip + need > this.#windowEnd) {
      this.#fill(ip, end);
      if (ip + need > this.#windowEnd) throw corrupt('it is cut short');
    }
    const w = this.#window;
    let i = ip - this.#windowAt;
    const tag = w[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (1 + extra > need) throw corrupt('a literal length is cut short');
        n = 0;
        for (let k = extra - 1; k >= 0; k--) n = n * 256 + w[i + k]!;
        i += extra;
      }
      this.#length = n + 1;
      this.#offset = -1;
    } else if (kind === 1) {
      if (need < 2) throw corrupt('a copy is cut short');
      this.#length = ((tag >>> 2) & 7) + 4;
      this.#offset = ((tag >>> 5) << 8) | w[i++]!;
    } else if (kind === 2) {
      if (need < 3) throw corrupt('a copy is cut short');
      this.#length = (tag >>> 2) + 1;
      this.#offset = w[i]! | (w[i + 1]! << 8);
      i += 2;
    } else {
      if (need < 5) throw corrupt('a copy is cut short');
      this.#length = (tag >>> 2) + 1;
      this.#offset = (w[i]! | (w[i + 1]! << 8) | (w[i + 2]! << 16) | (w[i + 3]! << 24)) >>> 0;
      i += 4;
    }
    return this.#windowAt + i;
  }

  /** The stream byte at file position `ip` (before `end`), through the window. */
  #byte(ip: number, end: number): number {
    if (ip < this.#windowAt || ip >= this.#windowEnd) this.#fill(ip, end);
    return this.#window[ip - this.#windowAt]!;
  }

  /** `n` stream bytes from file position `ip` into `block` at `bp`: through the window, or read straight in. */
  #copyOut(ip: number, n: number, block: Uint8Array, bp: number, end: number): void {
    if (ip >= this.#windowAt && ip + n <= this.#windowEnd) {
      const w = ip - this.#windowAt;
      if (n >= 32) block.set(this.#window.subarray(w, w + n), bp);
      else for (let i = 0; i < n; i++) block[bp + i] = this.#window[w + i]!;
      return;
    }
    if (ip + n > end || this.readAt(block.subarray(bp, bp + n), ip) !== n) throw corrupt('it is cut short');
  }

  #fill(ip: number, end: number): void {
    if (ip >= end) throw corrupt('it is cut short');
    if (this.#window.length === 0) this.#window = new Uint8Array(WINDOW);
    const n = Math.min(WINDOW, end - ip);
    const got = this.readAt(this.#window.subarray(0, n), ip);
    if (got <= 0) throw corrupt('it is cut short');
    this.#windowAt = ip;
    this.#windowEnd = ip + got;
  }
}

/**
 * Copies `n` bytes from `offset` bytes back to `bp`; an overlapping copy repeats the last `offset`
 * bytes, as the format means it: short ones byte by byte, longer ones by doubling native copies of
 * the repeating pattern (levels compress to many 64-byte copies of a few dozen bytes back).
 */
function repeatCopy(block: Uint8Array, bp: number, offset: number, n: number): void {
  const src = bp - offset;
  if (offset >= n) {
    block.copyWithin(bp, src, src + n);
    return;
  }
  if (n <= 16) {
    for (let i = 0; i < n; i++) block[bp + i] = block[src + i]!;
    return;
  }
  // [src, bp + done) repeats with period `offset` and is a whole number of periods long.
  for (let done = 0; done < n; ) {
    const k = Math.min(offset + done, n - done);
    block.copyWithin(bp + done, src, src + k);
    done += k;
  }
}

/** Records a block start after the last one known. */
function learn(starts: number[], ip: number, op: number): void {
  if (op > starts[starts.length - 1]!) starts.push(ip, op);
}

function corrupt(detail: string): PageCorruption {
  return new PageCorruption(`a SNAPPY page does not decompress: ${detail}`);
}
