import { decodeBase64 } from './decodeBase64.js';
import { KERNELS_WASM_BASE64 } from './generated/kernelsWasm.js';

/** A WebAssembly.Memory as the kernels use it (typed here so the package needs no DOM or Node types). */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The parts of the `WebAssembly` global the loader uses. */
interface WebAssemblyApi {
  validate(code: Uint8Array): boolean;
  Module: new (code: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  instantiate(
    code: Uint8Array,
    imports: object,
  ): Promise<{ readonly instance: { readonly exports: object } }>;
}

const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/**
 * The kernel module's exports (assembly/index.ts). Addresses are byte offsets into `memory`;
 * booleans are passed as 0/1.
 */
export interface KernelExports {
  readonly memory: LinearMemory;
  heapBase(): number;
  mseSum(px: number, py: number, n: number, a: number): number;
  mseNone(px: number, py: number, pout: number, n: number, a: number): void;
  l1Sum(px: number, py: number, n: number, a: number): number;
  l1None(px: number, py: number, pout: number, n: number, a: number): void;
  smoothL1Sum(px: number, py: number, n: number, beta: number): number;
  smoothL1None(px: number, py: number, pout: number, n: number, beta: number): void;
  huberSum(px: number, py: number, n: number, delta: number): number;
  huberNone(px: number, py: number, pout: number, n: number, delta: number): void;
  klDivSum(px: number, py: number, n: number, logTarget: number): number;
  klDivNone(px: number, py: number, pout: number, n: number, logTarget: number): void;
  binaryCrossEntropyWithLogits(
    px: number,
    py: number,
    pout: number,
    n: number,
    pw: number,
    wInner: number,
    wPeriod: number,
    wk: number,
    wj: number,
    ppw: number,
    pInner: number,
    pPeriod: number,
    pk: number,
    pj: number,
    hasPosWeight: number,
  ): number;
  classIndexLoss(
    px: number,
    pt: number,
    tStride: number,
    rows: number,
    classes: number,
    pw: number,
    wSum: number,
    ignoreIndex: number,
    eps: number,
    logSoftmax: number,
    pout: number,
    pres: number,
  ): number;
}

// 'unsupported': the engine rejects the module (no WebAssembly or no SIMD); final.
// 'deferred': the engine refused to compile it synchronously (a browser's main thread); the
// asynchronous loader may still succeed.
let loaded: KernelExports | 'unsupported' | 'deferred' | undefined;

function bytes(): Uint8Array {
  return decodeBase64(KERNELS_WASM_BASE64);
}

/** Whether this engine has WebAssembly with SIMD, judged by validating the kernel module itself. */
function supported(code: Uint8Array): boolean {
  return wasm?.validate(code) === true;
}

/**
 * The kernel module, compiled and instantiated synchronously on first use from the embedded bytes,
 * or `null` where the engine lacks WebAssembly SIMD or will not compile synchronously (then
 * {@link loadKernelExportsAsync} may still load it).
 */
export function loadKernelExports(): KernelExports | null {
  if (loaded === undefined) {
    const code = bytes();
    if (!supported(code)) loaded = 'unsupported';
    else {
      try {
        loaded = new wasm!.Instance(new wasm!.Module(code), {}).exports as KernelExports;
      } catch {
        loaded = 'deferred';
      }
    }
  }
  return typeof loaded === 'object' ? loaded : null;
}

/** {@link loadKernelExports} through the asynchronous compiler, which every engine allows. */
export async function loadKernelExportsAsync(): Promise<KernelExports | null> {
  if (loaded === undefined || loaded === 'deferred') {
    const code = bytes();
    if (!supported(code)) loaded = 'unsupported';
    else {
      const { instance } = await wasm!.instantiate(code, {});
      loaded = instance.exports as KernelExports;
    }
  }
  return typeof loaded === 'object' ? loaded : null;
}
