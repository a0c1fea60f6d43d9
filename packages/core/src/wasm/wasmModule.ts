import { decodeBase64 } from './decodeBase64.js';
import { KERNELS_RELAXED_WASM_BASE64 } from './generated/kernelsRelaxedWasm.js';
import { KERNELS_WASM_BASE64 } from './generated/kernelsWasm.js';
import { relaxedSimdSupported } from './relaxedSimdProbe.js';

/** A WebAssembly.Memory as the kernels use it (typed here so the package needs no DOM or Node types). */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The parts of the `WebAssembly` global the loader uses. */
interface WebAssemblyApi {
  validate(code: Uint8Array): boolean;
  Module: new (code: Uint8Array) => object;
  CompileError: new (...args: never[]) => Error;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  instantiate(
    code: Uint8Array,
    imports: object,
  ): Promise<{ readonly module: object; readonly instance: { readonly exports: object } }>;
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
  classRowStats(
    px: number,
    pt: number,
    tStride: number,
    rows: number,
    classes: number,
    wantExp: number,
    pBest: number,
    pRank: number,
    pExp: number,
  ): void;
  crossEntropyClassStats(
    px: number,
    pt: number,
    tStride: number,
    rows: number,
    classes: number,
    pw: number,
    wSum: number,
    ignoreIndex: number,
    eps: number,
    pout: number,
    pres: number,
    wantExp: number,
    pBest: number,
    pRank: number,
    pExp: number,
    pTally: number,
  ): number;
}

/**
 * Which build of the kernels: `'simd'`, the default module (simd128), or `'relaxed'`, the same
 * sources built with relaxed SIMD as well (fused multiply-adds, see assembly/relaxedOps.ts).
 */
export type KernelModule = 'simd' | 'relaxed';

// Per module: 'unsupported': the engine rejects it (no WebAssembly, no SIMD, or, for 'relaxed', no
// relaxed SIMD); final. 'deferred': the engine refused to compile it synchronously (a browser's
// main thread); the asynchronous loader may still succeed.
const loaded = new Map<KernelModule, KernelExports | 'unsupported' | 'deferred'>();
/** Each module as compiled here (or handed over by {@link adoptCompiledKernelModule}), for worker threads. */
const compiled = new Map<KernelModule, object>();

function bytes(module: KernelModule): Uint8Array {
  return decodeBase64(module === 'relaxed' ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64);
}

/**
 * Whether this engine has WebAssembly with SIMD (and, for the relaxed module, relaxed SIMD, asked
 * first of a tiny probe module), judged by validating the kernel module itself.
 */
function supported(module: KernelModule, code: Uint8Array): boolean {
  if (module === 'relaxed' && !relaxedSimdSupported()) return false;
  return wasm?.validate(code) === true;
}

/**
 * The kernel module, compiled and instantiated synchronously on first use from the embedded bytes,
 * or `null` where the engine lacks WebAssembly SIMD (or relaxed SIMD, for `'relaxed'`) or will not
 * compile synchronously (then {@link loadKernelExportsAsync} may still load it).
 */
export function loadKernelExports(module: KernelModule = 'simd'): KernelExports | null {
  let state = loaded.get(module);
  if (state === undefined) {
    if (wasm === undefined || (module === 'relaxed' && !relaxedSimdSupported())) state = 'unsupported';
    else {
      // Compiled without validating first: the compiler validates as it goes, and a separate
      // validate() was a second full pass over the module in every thread (measurable at start-up).
      try {
        const code = new wasm.Module(bytes(module));
        state = new wasm.Instance(code, {}).exports as KernelExports;
        compiled.set(module, code);
      } catch (e) {
        // No SIMD: the engine rejects the module. Anything else (a browser's main thread refusing
        // to compile this much synchronously) leaves the asynchronous loader to try.
        state = e instanceof wasm.CompileError ? 'unsupported' : 'deferred';
      }
    }
    loaded.set(module, state);
  }
  return typeof state === 'object' ? state : null;
}

/**
 * The compiled kernel module (a `WebAssembly.Module`) once {@link loadKernelExports} has loaded
 * it in this thread, else `undefined`: post it to a worker thread (it is structured-cloneable
 * there) and pass it to {@link adoptCompiledKernelModule}, so the worker neither decodes, compiles
 * nor tiers up its own copy.
 */
export function compiledKernelModule(module: KernelModule): object | undefined {
  return compiled.get(module);
}

/**
 * Instantiates `code`, a kernel module compiled by another thread ({@link compiledKernelModule}),
 * as this thread's `module`, unless it is loaded already; each instance has its own memory.
 */
export function adoptCompiledKernelModule(module: KernelModule, code: object): void {
  if (loaded.has(module) || wasm === undefined) return;
  loaded.set(module, new wasm.Instance(code, {}).exports as KernelExports);
  compiled.set(module, code);
}

/** {@link loadKernelExports} through the asynchronous compiler, which every engine allows. */
export async function loadKernelExportsAsync(module: KernelModule = 'simd'): Promise<KernelExports | null> {
  let state = loaded.get(module);
  if (state === undefined || state === 'deferred') {
    const code = bytes(module);
    if (!supported(module, code)) state = 'unsupported';
    else {
      const { module: built, instance } = await wasm!.instantiate(code, {});
      state = instance.exports as KernelExports;
      compiled.set(module, built);
    }
    loaded.set(module, state);
  }
  return typeof state === 'object' ? state : null;
}
