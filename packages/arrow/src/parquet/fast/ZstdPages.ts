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
   * is given, returning the bytes it read: no buffer of the page's own, no copy), decompressed to
   * `size` bytes; a view valid until the next call.
   *
   * @throws {PageCorruption} when the page is cut short, damaged or not `size` bytes decompressed
   */
  readAndDecompress(read: (into: Uint8Array) => number, length: number, size: number): Uint8Array {
    // Instantiated on the first ZSTD page: most files have none.
    if (this.#memory === undefined) {
      const exports = wasmInstance(ZSTD_WASM_BASE64);
      this.#memory = exports.memory as LinearMemory;
      this.#decompress = exports.decompress as (a: number, b: number, c: number, d: number) => number;
      this.#start = ((exports.heap as () => number)() + 15) & ~7;
    }
    // The output first, 8-byte aligned, so plain values that start it can be viewed in place.
    const output = this.#start;
    const from = (output + size + 15) & ~7;
    ensureMemory(this.#memory, from + length);
    if (read(new Uint8Array(this.#memory.buffer, from, length)) !== length)
      throw new PageCorruption('a page is cut short');
    let result: number;
    try {
      // One byte more room than the page says: a page that holds more than its header says fails the check below.
      result = this.#decompress(output, size + 1, from, length);
    } catch (e) {
      throw new PageCorruption(`a ZSTD page does not decompress (${e instanceof Error ? e.message : e})`);
    }
    if (result < 0) throw new PageCorruption('a ZSTD page does not decompress (damaged frame)');
    if (result !== size)
      throw new PageCorruption(`a ZSTD page holds ${result} bytes, its header says ${size}`);
    return new Uint8Array(this.#memory.buffer, output, size);
  }
}
