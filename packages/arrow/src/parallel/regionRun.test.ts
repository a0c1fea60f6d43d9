import { describe, expect, it } from 'vitest';
import { regionRun } from './regionRun.js';

/** A WebAssembly memory, typed here: the package's `lib` has no WebAssembly namespace. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory };
  }
).WebAssembly.Memory;

/** A WebAssembly memory with a filled 16-byte region at offset 64, as a kernel module's IO region. */
function wasmRegion(): { memory: WasmMemory; take: () => Uint8Array } {
  const memory = new WasmMemory({ initial: 1, maximum: 16 });
  new Uint8Array(memory.buffer, 64, 16).set(Array.from({ length: 16 }, (_, i) => i + 1));
  return { memory, take: () => new Uint8Array(memory.buffer, 64, 16) };
}

/** A task that views the region as floats after the memory grows under it, the first `grows` times. */
function growingTask(memory: WasmMemory, grows: number, returnDetached = false) {
  const seen: number[] = [];
  let calls = 0;
  const task = (io: Uint8Array): number => {
    calls++;
    if (calls <= grows) {
      memory.grow(1);
      if (returnDetached) return -1;
    }
    // Throws a TypeError on a detached view, as a task building a tensor over it does.
    const view = new Uint8Array(io.buffer, io.byteOffset, 16);
    seen.push(view[0]!, view[15]!);
    return view.reduce((a, b) => a + b, 0);
  };
  return { task, seen, calls: () => calls };
}

describe('regionRun', () => {
  it('runs again on the region taken afresh when growth detached it and the task threw', () => {
    const { memory, take } = wasmRegion();
    const { task, seen, calls } = growingTask(memory, 1);
    let taken = 0;
    const again = (): Uint8Array => {
      taken++;
      return take();
    };
    const { value, io } = regionRun(take(), 16, again, task);
    expect(value).toBe(136);
    expect(calls()).toBe(2);
    expect(taken).toBe(1);
    // The bytes survived the growth: the region is not filled again.
    expect(seen).toEqual([1, 16]);
    expect(io.byteLength).toBe(16);
    expect(io.buffer).toBe(memory.buffer);
  });

  it('runs again when the task returned through a detached region', () => {
    const { memory, take } = wasmRegion();
    const { task, calls } = growingTask(memory, 1, true);
    expect(regionRun(take(), 16, take, task).value).toBe(136);
    expect(calls()).toBe(2);
  });

  it("throws the task's own error at once when the region is intact", () => {
    const { take } = wasmRegion();
    let calls = 0;
    const bad = new RangeError('target 7 out of range');
    expect(() =>
      regionRun(take(), 16, take, () => {
        calls++;
        throw bad;
      }),
    ).toThrow(bad);
    expect(calls).toBe(1);
  });

  it('gives up with the last error when every run detaches the region', () => {
    const { memory, take } = wasmRegion();
    const { task, calls } = growingTask(memory, 100);
    expect(() => regionRun(take(), 16, take, task)).toThrow(TypeError);
    expect(calls()).toBe(8);
  });

  it('never retries an empty region (zero bytes read as empty, not as detached)', () => {
    let calls = 0;
    const { value } = regionRun(
      new Uint8Array(0),
      0,
      () => new Uint8Array(0),
      () => ++calls,
    );
    expect(value).toBe(1);
  });
});
