/** The parts of the `WebAssembly` global used here (typed here: the package needs no DOM types). */
interface WebAssemblyApi {
  Module: new (code: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { readonly exports: Record<string, unknown> };
}

/** A WebAssembly memory, as the decompressors' instances export it. */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Bytes in one WebAssembly memory page. */
export const WASM_PAGE = 65_536;

const compiled = new Map<string, object>();

/**
 * A new instance of the module given as base64 (compiled once per module and kept), with no
 * imports: the vendored decompressors need none.
 *
 * @example
 * const { memory, uncompress } = wasmInstance(SNAPPY_WASM_BASE64);
 */
export function wasmInstance(base64: string): Record<string, unknown> {
  const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  let module = compiled.get(base64);
  if (module === undefined) {
    module = new wasm.Module(base64Bytes(base64));
    compiled.set(base64, module);
  }
  return new wasm.Instance(module).exports;
}

/**
 * Grows `memory` so that it holds at least `bytes` bytes (it never shrinks: the largest page
 * sets its size once).
 */
export function ensureMemory(memory: LinearMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

function base64Bytes(text: string): Uint8Array {
  const binary = (globalThis as unknown as { atob(s: string): string }).atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
