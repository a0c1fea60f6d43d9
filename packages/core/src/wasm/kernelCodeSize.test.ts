import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './decodeBase64.js';
import { KERNELS_RELAXED_WASM_BASE64 } from './generated/kernelsRelaxedWasm.js';
import { KERNELS_WASM_BASE64 } from './generated/kernelsWasm.js';

/** An unsigned LEB128 at `at`: its value and the offset past it. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i];
  }
}

/** The body size in bytes of each exported function of a module without imported functions. */
function exportedBodySizes(bytes: Uint8Array): Map<string, number> {
  const exports = new Map<string, number>();
  const bodies: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, start] = leb(bytes, at + 1);
    if (id === 7) {
      let [count, i] = leb(bytes, start);
      for (; count > 0; count--) {
        const [len, nameAt] = leb(bytes, i);
        const name = new TextDecoder().decode(bytes.subarray(nameAt, nameAt + len));
        const kind = bytes[nameAt + len]!;
        const [index, next] = leb(bytes, nameAt + len + 1);
        if (kind === 0) exports.set(name, index);
        i = next;
      }
    } else if (id === 10) {
      let [count, i] = leb(bytes, start);
      for (; count > 0; count--) {
        const [len, body] = leb(bytes, i);
        bodies.push(len);
        i = body + len;
      }
    }
    at = start + size;
  }
  return new Map([...exports].map(([name, index]) => [name, bodies[index]!]));
}

describe('kernel code size', () => {
  // The engines compile a hot WebAssembly function again with their optimizing compiler, whose
  // time grows faster than the function: at ~30 KB (the fused kernel with its rare-row fallbacks
  // and a second copy for wantExp inlined) V8's TurboFan took 0.25–0.35 s for it in every process
  // and worker thread (8 KB now: ~0.03 s), while the first batches ran its slow baseline code.
  for (const [module, base64] of [
    ['simd128', KERNELS_WASM_BASE64],
    ['relaxed SIMD', KERNELS_RELAXED_WASM_BASE64],
  ] as const) {
    it(`keeps the fused cross-entropy + metrics kernel small (${module})`, () => {
      const sizes = exportedBodySizes(decodeBase64(base64));
      const fused = sizes.get('crossEntropyClassStats');
      const alone = sizes.get('classIndexLoss');
      expect(fused).toBeDefined();
      expect(alone).toBeDefined();
      // About 1.4 × (simd128) and 2.3 × (relaxed: its own exps for the loss) the cross-entropy kernel
      // alone now; it was 5 ×.
      expect(fused!).toBeLessThan(2.5 * alone!);
    });
  }
});
