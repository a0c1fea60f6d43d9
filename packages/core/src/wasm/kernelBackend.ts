import { LossError } from '../LossError.js';
import { type KernelModule, loadKernelExports, loadKernelExportsAsync } from './wasmModule.js';

/**
 * Which kernels the losses run: `'wasm'` (WebAssembly SIMD, for float32 operands),
 * `'wasm-relaxed'` (the same kernels built with relaxed SIMD: fused multiply-adds, within the
 * tolerance the README states), `'js'` (the plain JavaScript reference kernels), or `'auto'`
 * (`'wasm-relaxed'` where the engine has relaxed SIMD, else `'wasm'` where it has SIMD, else JS).
 */
export type KernelBackend = 'auto' | 'wasm' | 'wasm-relaxed' | 'js';

/** The kernels in use: what `'auto'` resolved to, or the backend asked for. */
export type ActiveKernelBackend = Exclude<KernelBackend, 'auto'>;

const BACKENDS: readonly string[] = ['auto', 'wasm', 'wasm-relaxed', 'js'];

/**
 * Whether `'auto'` takes the relaxed-SIMD module where the engine has it: measured faster than the
 * default module on Node 22 and 24 (cross-entropy ~1.1–1.4×, BCE-with-logits ~1.25–1.55×; `pnpm
 * --filter @lossflow/core bench`), within the same tolerance. Engines without relaxed SIMD (Node
 * 20) keep the default module, bit for bit.
 */
const AUTO_PREFERS_RELAXED = true;

let requested: KernelBackend | undefined;
// What {@link kernelModule} resolved `requested` to; cleared whenever that may change (a new
// backend, modules loaded asynchronously), so each loss call costs one comparison.
let resolved: KernelModule | null | undefined;

function fromEnvironment(): KernelBackend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.LOSSFLOW_KERNELS;
  if (value === undefined || value === '') return 'auto';
  // `relaxed` is the short spelling of 'wasm-relaxed' for the environment variable.
  if (value === 'relaxed') return 'wasm-relaxed';
  if (BACKENDS.includes(value)) return value as KernelBackend;
  throw new LossError('INVALID_OPTION', `LOSSFLOW_KERNELS=${JSON.stringify(value)} is not a kernel backend`, {
    argument: 'LOSSFLOW_KERNELS',
    hint: "Set it to 'auto', 'wasm', 'relaxed' (or 'wasm-relaxed') or 'js'.",
  });
}

/** The backend asked for: set by {@link setKernelBackend}, else `LOSSFLOW_KERNELS`, else `'auto'`. */
export function requestedKernelBackend(): KernelBackend {
  requested ??= fromEnvironment();
  return requested;
}

function unavailable(backend: 'wasm' | 'wasm-relaxed'): LossError {
  return new LossError('INVALID_OPTION', `the '${backend}' kernel backend is not available in this engine`, {
    argument: 'backend',
    hint:
      backend === 'wasm'
        ? "It needs WebAssembly SIMD (and, on a browser's main thread, `await initKernels()` first); use 'auto' or 'js'."
        : "It needs WebAssembly relaxed SIMD (Node 22 or later, a current browser; on a browser's main thread `await initKernels()` first); use 'auto', 'wasm' or 'js'.",
  });
}

/**
 * Chooses the kernels every loss runs from now on, overriding `LOSSFLOW_KERNELS`. `'wasm'` and
 * `'wasm-relaxed'` throw a `LossError` (`INVALID_OPTION`) where the engine cannot run them (no
 * WebAssembly SIMD; no relaxed SIMD, e.g. Node 20); `'js'` forces the reference path.
 *
 * @example
 * setKernelBackend('js'); // the plain JS reference kernels, e.g. to cross-check a result
 * setKernelBackend('wasm-relaxed'); // fused multiply-adds where the engine has relaxed SIMD
 * setKernelBackend('auto'); // back to the default
 */
export function setKernelBackend(backend: KernelBackend): void {
  if (!BACKENDS.includes(backend)) {
    throw new LossError('INVALID_OPTION', `${JSON.stringify(backend)} is not a kernel backend`, {
      argument: 'backend',
      hint: "Use 'auto', 'wasm', 'wasm-relaxed' or 'js'.",
    });
  }
  if (backend === 'wasm' && loadKernelExports('simd') === null) throw unavailable(backend);
  if (backend === 'wasm-relaxed' && loadKernelExports('relaxed') === null) throw unavailable(backend);
  requested = backend;
  resolved = undefined;
}

/**
 * The kernels in use now: `'wasm'`, `'wasm-relaxed'` or `'js'` (what `'auto'` resolved to). Pass it
 * to worker threads, so that they run the same kernels as the thread that started them.
 */
export function getKernelBackend(): ActiveKernelBackend {
  const module = kernelModule();
  return module === null ? 'js' : module === 'relaxed' ? 'wasm-relaxed' : 'wasm';
}

/**
 * Which WASM module float32 losses should take (loading it on first use), or `null` for the JS
 * kernels; throws where `'wasm'` or `'wasm-relaxed'` was required through `LOSSFLOW_KERNELS` but
 * cannot load.
 */
export function kernelModule(): KernelModule | null {
  if (resolved === undefined) resolved = resolveModule();
  return resolved;
}

function resolveModule(): KernelModule | null {
  const backend = requestedKernelBackend();
  if (backend === 'js') return null;
  if (backend === 'wasm-relaxed') {
    if (loadKernelExports('relaxed') === null) throw unavailable(backend);
    return 'relaxed';
  }
  if (backend === 'auto' && AUTO_PREFERS_RELAXED && loadKernelExports('relaxed') !== null) return 'relaxed';
  if (loadKernelExports('simd') !== null) return 'simd';
  if (backend === 'wasm') throw unavailable(backend);
  return null;
}

/**
 * Loads the WASM kernels asynchronously and resolves to the backend then in use. Optional in Node
 * (the first loss call loads them synchronously); call it once on a browser's main thread, where
 * engines refuse to compile modules of this size synchronously.
 *
 * @example
 * await initKernels(); // 'wasm-relaxed' on Node 22+, 'wasm' on Node 20, 'js' without WebAssembly SIMD
 */
export async function initKernels(): Promise<ActiveKernelBackend> {
  const backend = requestedKernelBackend();
  const relaxed = backend === 'wasm-relaxed' || (backend === 'auto' && AUTO_PREFERS_RELAXED);
  // 'auto' needs the default module only where the relaxed one cannot load.
  const loaded = relaxed ? (await loadKernelExportsAsync('relaxed')) !== null : false;
  if (backend === 'wasm' || (backend === 'auto' && !loaded)) await loadKernelExportsAsync('simd');
  resolved = undefined;
  return getKernelBackend();
}
