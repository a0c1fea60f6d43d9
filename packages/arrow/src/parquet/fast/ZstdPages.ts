import { PageCorruption } from './PageCorruption.js';
import { ensureMemory, type LinearMemory, wasmInstance } from './wasmInstance.js';
import { ZSTD_WASM_BASE64 } from './zstdWasm.js';

/**
 * ZSTD pages decompressed by zstd's own decompressor (vendored, built to WebAssembly) into one
 * memory that is reused for every page (it grows to the largest page and stays): no allocation
 * per page, and the decompressed bytes are read in place through views of that memory until the
 * next page.
 *
 * @example
 * const zstd = new ZstdPages();
 * const page = zstd.decompress(chunk.subarray(at, at + compressed), uncompressedSize);
 */
export class ZstdPages {
  #memory: LinearMemory | undefined;
  #decompress: (output: number, capacity: number, input: number, length: number) => number = () => -1;
  #margin: (input: number, length: number) => number = () => -1;
  /** Where the module's own data, stack and decompression context end: pages go after it. */
  #start = 0;

  /**
   * `input` (one or more ZSTD frames) decompressed; the result is a view of the reused memory,
   * valid until the next call.
   *
   * @throws {PageCorruption} when the frames are damaged or do not decode to exactly `size` bytes
   */
  decompress(input: Uint8Array, size: number): Uint8Array {
    return this.readAndDecompress(
      (into) => {
        into.set(input);
        return input.length;
      },
      input.length,
      size,
    );
  }

  /**
   * A page of `length` compressed bytes, read by `read` straight into the memory (into the view it
   * is given, returning the bytes it read: no buffer of the page's own, no copy), decompressed in
   * place to `size` bytes (the memory holds about one page, not its input and output side by
   * side); a view valid until the next call.
   *
   * @throws {PageCorruption} when the page is cut short, damaged or not `size` bytes decompressed
   */
  readAndDecompress(read: (into: Uint8Array) => number, length: number, size: number): Uint8Array {
    // Instantiated on the first ZSTD page: most files have none.
    if (this.#memory === undefined) {
      const exports = wasmInstance(ZSTD_WASM_BASE64);
      this.#memory = exports.memory as LinearMemory;
      this.#decompress = exports.decompress as (a: number, b: number, c: number, d: number) => number;
      this.#margin = exports.margin as (a: number, b: number) => number;
      this.#start = ((exports.heap as () => number)() + 15) & ~7;
    }
    // One buffer per page, decompressed in place: the output first, 8-byte aligned (plain values
    // that start it are viewed in place), the compressed frames read into its end, zstd's margin
    // past the decompressed size keeping them ahead of what it writes. The margin is reserved as
    // zstd bounds it for one frame, then checked against the frames read.
    const output = this.#start;
    let end = output + Math.max(size + reservedMargin(size), length);
    ensureMemory(this.#memory, end);
    if (read(new Uint8Array(this.#memory.buffer, end - length, length)) !== length)
      throw new PageCorruption('a page is cut short');
    const margin = this.#margin(end - length, length);
    if (margin < 0) throw new PageCorruption('a ZSTD page does not decompress (damaged frame)');
    if (output + size + margin > end) {
      // Several frames or skippable ones can need more room: move the frames further along.
      const from = end - length;
      end = output + size + margin;
      ensureMemory(this.#memory, end);
      new Uint8Array(this.#memory.buffer).copyWithin(end - length, from, from + length);
    }
    let result: number;
    try {
      // The whole buffer as room: a page that holds more than its header says fails the check below.
      result = this.#decompress(output, end - output, end - length, length);
    } catch (e) {
      throw new PageCorruption(`a ZSTD page does not decompress (${e instanceof Error ? e.message : e})`);
    }
    if (result < 0) throw new PageCorruption('a ZSTD page does not decompress (damaged frame)');
    if (result !== size)
      throw new PageCorruption(`a ZSTD page holds ${result} bytes, its header says ${size}`);
    return new Uint8Array(this.#memory.buffer, output, size);
  }
}

/** zstd's largest block (ZSTD_BLOCKSIZE_MAX): a frame's block size is never larger. */
const BLOCK_MAX = 128 * 1024;

/**
 * zstd's in-place margin for one frame of `size` bytes (ZSTD_DECOMPRESSION_MARGIN with the
 * largest block size: the frame header, a checksum, 3 bytes a block and one block), reserved
 * before the frames are read; several frames can need more (checked once read).
 */
function reservedMargin(size: number): number {
  return 18 + 4 + (size === 0 ? 0 : 3 * Math.ceil(size / BLOCK_MAX)) + BLOCK_MAX;
}
