import { PageCorruption } from './PageCorruption.js';
import { snappyInPlace, snappyLiterals } from './snappyLiterals.js';
import { SNAPPY_WASM_BASE64 } from './snappyWasm.js';
import { ensureMemory, type LinearMemory, wasmInstance } from './wasmInstance.js';

/** Where the compiled decompressor's own data and stack end: pages go after it. */
const INPUT_START = 68_000;
/** Pages compressed to at least this share of their size are mostly literals: decompressed in JS. */
export const LITERAL_SHARE = 0.8;
/**
 * Bytes between a page's decompressed end and its compressed end when it is decompressed in
 * place (plus 1 per KiB of it): literal headers are the only bytes a stream has beyond its
 * output, a few per 64 KiB, so the writes stay behind the reads with room to spare.
 */
const IN_PLACE_MARGIN = 64 * 1024;

/**
 * Snappy pages decompressed into one WebAssembly memory that is reused for every page (it grows
 * to the largest page and stays): no allocation per page, and the decompressed bytes are read
 * in place through views of that memory until the next page. Pages that compressed little
 * (mostly literals, as float values are) are decompressed by {@link snappyLiterals} instead.
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
   * A view of `length` bytes at the start of the reused memory's input area, for a page's bytes to
   * be read straight into (no buffer of their own); valid until the next call of any method.
   */
  input(length: number): Uint8Array {
    this.#reserve(INPUT_START + length);
    return new Uint8Array(this.#memory.buffer, INPUT_START, length);
  }

  /**
   * Bytes `[offset, offset + length)` of the input area (as {@link input} left it) decompressed
   * into the memory after it; a view valid until the next call of any method.
   *
   * @throws {PageCorruption} when the stream does not decode to exactly `size` bytes
   */
  inflateInput(offset: number, length: number, size: number): Uint8Array {
    const declared = snappyLength(
      new Uint8Array(this.#memory.buffer, INPUT_START + offset, Math.min(length, 5)),
    );
    if (declared !== size)
      throw new PageCorruption(`a SNAPPY page says it holds ${declared} bytes, its header says ${size}`);
    const inputEnd = INPUT_START + offset + length;
    const output = (inputEnd + 15) & ~7;
    this.#reserve(output + size + 8);
    return this.#run(INPUT_START + offset, length, output, size);
  }

  /**
   * A page of `length` compressed bytes that decompress to `size`, read by `read` (into the view it
   * is given, returning the bytes it read) and decompressed, where it compressed little, within
   * about `size` bytes of memory rather than `length + size` (see `snappyInPlace`); a view valid
   * until the next call of any method.
   *
   * @throws {PageCorruption} when the page is cut short or does not decode to exactly `size` bytes
   */
  readAndInflate(read: (into: Uint8Array) => number, length: number, size: number): Uint8Array {
    const margin = IN_PLACE_MARGIN + Math.ceil(length / 1024);
    if (length < LITERAL_SHARE * size || length > size + margin) {
      if (read(this.input(length)) !== length) throw new PageCorruption('a page is cut short');
      return this.inflateInput(0, length, size);
    }
    const output = INPUT_START;
    const input = output + size + margin - length;
    this.#reserve(output + size + margin);
    const view = new Uint8Array(this.#memory.buffer, input, length);
    if (read(view) !== length) throw new PageCorruption('a page is cut short');
    const declared = snappyLength(view);
    if (declared !== size)
      throw new PageCorruption(`a SNAPPY page says it holds ${declared} bytes, its header says ${size}`);
    if (snappyInPlace(new Uint8Array(this.#memory.buffer), input, length, output, size))
      return new Uint8Array(this.#memory.buffer, output, size);
    // Its writes would have overtaken its unread bytes: the page again, apart.
    if (read(this.input(length)) !== length) throw new PageCorruption('a page is cut short');
    return this.inflateInput(0, length, size);
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
    this.#reserve(output + size + 8);
    new Uint8Array(this.#memory.buffer, INPUT_START, input.length).set(input);
    return this.#run(INPUT_START, input.length, output, size);
  }

  #reserve(needed: number): void {
    ensureMemory(this.#memory, needed);
  }

  #run(input: number, length: number, output: number, size: number): Uint8Array {
    if (length >= LITERAL_SHARE * size) {
      // Mostly literals (float values): native copies beat the module's byte loop (see snappyLiterals).
      const out = new Uint8Array(this.#memory.buffer, output, size);
      snappyLiterals(new Uint8Array(this.#memory.buffer, input, length), out);
      return out;
    }
    let result: number;
    try {
      result = this.#uncompress(input, length, output);
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
