import type { LinearMemory } from './wasmModule.js';

const PAGE = 65536;

/**
 * The arena's regions: each kernel operand has its own, so filling one never moves another. `io`
 * is never written by a kernel: an IO layer reads whole record batches into it.
 */
export const Slot = {
  x: 0,
  y: 1,
  out: 2,
  weight: 3,
  posWeight: 4,
  result: 5,
  io: 6,
  stats: 7,
  tally: 8,
} as const;

/** One of {@link Slot}'s regions. */
export type Slot = (typeof Slot)[keyof typeof Slot];

/**
 * The reusable input arena in the kernel module's linear memory: one region per operand, grown
 * (geometrically, by moving the region to the top) when a call needs more and reused across calls,
 * so steady streaming allocates nothing. Growing the memory detaches every typed-array view of it,
 * so views are re-made here after a growth, and addresses of resident operands must be read first.
 */
export class WasmArena {
  readonly #memory: LinearMemory;
  #top: number;
  readonly #ptr: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  readonly #cap: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  #f32: Float32Array;
  #f64: Float64Array;
  #i32: Int32Array;

  constructor(memory: LinearMemory, base: number) {
    this.#memory = memory;
    this.#top = align(base);
    this.#f32 = new Float32Array(memory.buffer);
    this.#f64 = new Float64Array(memory.buffer);
    this.#i32 = new Int32Array(memory.buffer);
  }

  /** Byte address of `slot` with room for `bytes` bytes (16-byte aligned); may grow the memory. */
  reserve(slot: Slot, bytes: number): number {
    if (this.#cap[slot]! >= bytes) return this.#ptr[slot]!;
    const cap = align(Math.max(bytes, 2 * this.#cap[slot]!, 1024));
    const end = this.#top + cap;
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / PAGE));
    this.#ptr[slot] = this.#top;
    this.#cap[slot] = cap;
    this.#top = end;
    return this.#top - cap;
  }

  /** Whether `view` lies in this arena's memory (a resident operand: no copy needed). */
  owns(view: ArrayBufferView): boolean {
    return view.buffer === this.#memory.buffer;
  }

  /** The whole memory as float32 (index = byte address / 4), current after any growth. */
  get f32(): Float32Array {
    this.#refresh();
    return this.#f32;
  }

  /** The whole memory as float64 (index = byte address / 8). */
  get f64(): Float64Array {
    this.#refresh();
    return this.#f64;
  }

  /** The whole memory as int32 (index = byte address / 4). */
  get i32(): Int32Array {
    this.#refresh();
    return this.#i32;
  }

  #refresh(): void {
    const buffer = this.#memory.buffer;
    if (this.#f32.buffer === buffer) return;
    this.#f32 = new Float32Array(buffer);
    this.#f64 = new Float64Array(buffer);
    this.#i32 = new Int32Array(buffer);
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
