import { PageCorruption } from './PageCorruption.js';
import { SNAPPY_WASM_BASE64 } from './snappyWasm.js';
import { ensureMemory, type LinearMemory, wasmInstance } from './wasmInstance.js';

/** Where the compiled decompressor's own data and stack end: pages go after it. */
const INPUT_START = 68_000;

/**
 * Snappy pages decompressed into one WebAssembly memory that is reused for every page (it grows
 * to the largest page and stays): no allocation per page, and the decompressed bytes are read
 * in place through views of that memory until the next page.
 *
 * @example
 * const snappy = new SnappyPages();
 * const page = snappy.decompress(chunk.subarray(at, at + compressed), uncompressedSize);
 */
export class SnappyPages {
  readonly #memory: LinearMemory;
  readonly #uncompress: (input: number, length: number, output: number) => number;

  constructor() {
    const exports = wasmInstance(SNAPPY_WASM_BASE64);
    this.#memory = exports.memory as LinearMemory;
    this.#uncompress = exports.uncompress as (a: number, b: number, c: number) => number;
  }

  /**
   * `input` decompressed; the result is a view of the reused memory, valid until the next call.
   *
   * @throws {PageCorruption} when the stream does not decode to exactly `size` bytes
   */
  decompress(input: Uint8Array, size: number): Uint8Array {
    const declared = snappyLength(input);
    if (declared !== size)
      throw new PageCorruption(`a SNAPPY page says it holds ${declared} bytes, its header says ${size}`);
    // 8-byte aligned, so plain values that start the output can be viewed in place.
    const output = (INPUT_START + input.length + 15) & ~7;
    ensureMemory(this.#memory, output + size + 8);
    new Uint8Array(this.#memory.buffer, INPUT_START, input.length).set(input);
    let result: number;
    try {
      result = this.#uncompress(INPUT_START, input.length, output);
    } catch (e) {
      throw new PageCorruption(`a SNAPPY page does not decompress (${e instanceof Error ? e.message : e})`);
    }
    if (result !== 0) throw new PageCorruption(`a SNAPPY page does not decompress (code ${result})`);
    return new Uint8Array(this.#memory.buffer, output, size);
  }
}

/** The uncompressed length a Snappy stream starts with (a varint), or -1 if it has none. */
function snappyLength(input: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5 && i < input.length; i++) {
    const byte = input[i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return value;
  }
  return -1;
}
