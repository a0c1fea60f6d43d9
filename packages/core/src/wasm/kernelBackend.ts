import { LossError } from '../LossError.js';
import { loadKernelExports, loadKernelExportsAsync } from './wasmModule.js';

/**
 * Which kernels the losses run: `'wasm'` (WebAssembly SIMD, for float32 operands), `'js'` (the
 * plain JavaScript reference kernels), or `'auto'` (WASM where the engine supports it, else JS).
 */
export type KernelBackend = 'auto' | 'wasm' | 'js';

const BACKENDS: readonly string[] = ['auto', 'wasm', 'js'];

let requested: KernelBackend | undefined;

function fromEnvironment(): KernelBackend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.LOSSFLOW_KERNELS;
  if (value === undefined || value === '') return 'auto';
  if (BACKENDS.includes(value)) return value as KernelBackend;
  throw new LossError('INVALID_OPTION', `LOSSFLOW_KERNELS=${JSON.stringify(value)} is not a kernel backend`, {
    argument: 'LOSSFLOW_KERNELS',
    hint: "Set it to 'auto', 'wasm' or 'js'.",
  });
}

/** The backend asked for: set by {@link setKernelBackend}, else `LOSSFLOW_KERNELS`, else `'auto'`. */
export function requestedKernelBackend(): KernelBackend {
  requested ??= fromEnvironment();
  return requested;
}

function unavailable(): LossError {
  return new LossError('INVALID_OPTION', "the 'wasm' kernel backend is not available in this engine", {
    argument: 'backend',
    hint: "It needs WebAssembly SIMD (and, on a browser's main thread, `await initKernels()` first); use 'auto' or 'js'.",
  });
}

/**
 * Chooses the kernels every loss runs from now on, overriding `LOSSFLOW_KERNELS`. `'wasm'` throws a
 * `LossError` (`INVALID_OPTION`) where WebAssembly SIMD is unavailable; `'js'` forces the reference
 * path.
 *
 * @example
 * setKernelBackend('js'); // the plain JS reference kernels, e.g. to cross-check a result
 * setKernelBackend('auto'); // back to the default
 */
export function setKernelBackend(backend: KernelBackend): void {
  if (!BACKENDS.includes(backend)) {
    throw new LossError('INVALID_OPTION', `${JSON.stringify(backend)} is not a kernel backend`, {
      argument: 'backend',
      hint: "Use 'auto', 'wasm' or 'js'.",
    });
  }
  if (backend === 'wasm' && loadKernelExports() === null) throw unavailable();
  requested = backend;
}

/** The kernels in use now: `'wasm'` or `'js'` (what `'auto'` resolved to). */
export function getKernelBackend(): 'wasm' | 'js' {
  return useWasm() ? 'wasm' : 'js';
}

/**
 * Whether float32 losses should take the WASM kernels (loading them on first use); throws where
 * `'wasm'` was required through `LOSSFLOW_KERNELS` but cannot load.
 */
export function useWasm(): boolean {
  const backend = requestedKernelBackend();
  if (backend === 'js') return false;
  const loaded = loadKernelExports() !== null;
  if (!loaded && backend === 'wasm') throw unavailable();
  return loaded;
}

/**
 * Loads the WASM kernels asynchronously and resolves to the backend then in use. Optional in Node
 * (the first loss call loads them synchronously); call it once on a browser's main thread, where
 * engines refuse to compile modules of this size synchronously.
 *
 * @example
 * await initKernels(); // 'wasm' where WebAssembly SIMD is available
 */
export async function initKernels(): Promise<'wasm' | 'js'> {
  if (requestedKernelBackend() !== 'js') await loadKernelExportsAsync();
  return getKernelBackend();
}
