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
    let starts = this.#starts.get(at);
    if (starts === undefined) {
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
      starts = [ip, 0];
      this.#starts.set(at, starts);
    }
    const first = from - (from % BLOCK);
    // The last known block start at or before the range's first block.
    let k = starts.length - 2;
    while (k > 0 && starts[k + 1]! > first) k -= 2;
    let ip = starts[k]!;
    let op = starts[k + 1]!;
    // Step over whole blocks before the range: tags only.
    while (op < first) {
      if (ip >= end) throw corrupt(`it holds ${op} bytes, its header says ${size}`);
      const tag = this.#byte(ip++, end);
      const kind = tag & 3;
      let n: number;
      if (kind === 0) {
        n = tag >>> 2;
        if (n >= 60) {
          const extra = n - 59;
          n = 0;
          for (let i = extra - 1; i >= 0; i--) n = n * 256 + this.#byte(ip + i, end);
          ip += extra;
        }
        n += 1;
        if (n > end - ip) throw corrupt('a literal runs past its page');
        ip += n;
      } else {
        n = kind === 1 ? ((tag >>> 2) & 7) + 4 : (tag >>> 2) + 1;
        ip += kind === 1 ? 1 : kind === 2 ? 2 : 4;
        if (ip > end) throw corrupt('a copy is cut short');
      }
      if (n > size - op) throw corrupt('it runs past its declared size');
      const before = op;
      op += n;
      // Crossing a block start inside a tag: the stream is not cut in blocks.
      if (Math.floor(before / BLOCK) !== Math.floor((op - 1) / BLOCK) && op % BLOCK !== 0) return false;
      if (op % BLOCK === 0) learn(starts, ip, op);
    }
    // Then block by block: a block inside the range decompressed where its bytes go, one the range
    // starts or ends in into the block buffer, its part of the range copied out.
    while (op < to) {
      const blockEnd = Math.min(op + BLOCK, size);
      const blockAt = op;
      const direct = blockAt >= from && blockEnd <= to;
      const block = direct ? into : this.#block;
      const base = direct ? blockAt - from : 0;
      let bp = base;
      while (op < blockEnd) {
        if (ip >= end) throw corrupt(`it holds ${op} bytes, its header says ${size}`);
        const tag = this.#byte(ip++, end);
        const kind = tag & 3;
        if (kind === 0) {
          let n = tag >>> 2;
          if (n >= 60) {
            const extra = n - 59;
            n = 0;
            for (let i = extra - 1; i >= 0; i--) n = n * 256 + this.#byte(ip + i, end);
            ip += extra;
          }
          n += 1;
          if (n > end - ip) throw corrupt('a literal runs past its page');
          if (n > blockEnd - op) return false;
          this.#copyOut(ip, n, block, bp, end);
          ip += n;
          op += n;
          bp += n;
          continue;
        }
        let n: number;
        let offset: number;
        if (kind === 1) {
          n = ((tag >>> 2) & 7) + 4;
          offset = ((tag >>> 5) << 8) | this.#byte(ip++, end);
        } else if (kind === 2) {
          n = (tag >>> 2) + 1;
          offset = this.#byte(ip, end) | (this.#byte(ip + 1, end) << 8);
          ip += 2;
        } else {
          n = (tag >>> 2) + 1;
          offset =
            (this.#byte(ip, end) |
              (this.#byte(ip + 1, end) << 8) |
              (this.#byte(ip + 2, end) << 16) |
              (this.#byte(ip + 3, end) << 24)) >>>
            0;
          ip += 4;
        }
        if (offset === 0 || offset > op) throw corrupt('a copy reaches outside its page');
        if (offset > bp - base || n > blockEnd - op) return false;
        // An overlapping copy repeats the last `offset` bytes: byte by byte, as the format means it.
        const src = bp - offset;
        if (offset >= n) block.copyWithin(bp, src, src + n);
        else for (let i = 0; i < n; i++) block[bp + i] = block[src + i]!;
        op += n;
        bp += n;
      }
      if (op % BLOCK === 0) learn(starts, ip, op);
      if (direct) continue;
      const a = Math.max(from, blockAt);
      const b = Math.min(to, op);
      if (a < b) into.set(block.subarray(a - blockAt, b - blockAt), a - from);
    }
    if (to === size && ip !== end) throw corrupt(`it has bytes after its ${size}`);
    return true;
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

/** Records a block start after the last one known. */
function learn(starts: number[], ip: number, op: number): void {
  if (op > starts[starts.length - 1]!) starts.push(ip, op);
}

function corrupt(detail: string): PageCorruption {
  return new PageCorruption(`a SNAPPY page does not decompress: ${detail}`);
}
