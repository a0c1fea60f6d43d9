import { type ActiveKernelBackend, kernelModule } from './kernelBackend.js';
import { adoptCompiledKernelModule, compiledKernelModule } from './wasmModule.js';

/**
 * The compiled WebAssembly module of the kernels this thread runs (`getKernelBackend()`), or
 * `undefined` for the JS kernels: post it to worker threads beside the backend's name and pass it
 * to {@link adoptCompiledKernels} there, so a worker starts computing without decoding,
 * validating and compiling its own copy (and runs the code this thread's engine already optimized).
 *
 * @example
 * worker.postMessage({ kernels: getKernelBackend(), compiled: compiledKernels() });
 */
export function compiledKernels(): object | undefined {
  const module = kernelModule();
  return module === null ? undefined : compiledKernelModule(module);
}

/**
 * In a worker thread, before `setKernelBackend(backend)`: instantiates the kernels' module as the
 * starting thread compiled it ({@link compiledKernels}); does nothing for `'js'` or once loaded.
 *
 * @example
 * adoptCompiledKernels(data.kernels, data.compiled);
 * setKernelBackend(data.kernels);
 */
export function adoptCompiledKernels(backend: ActiveKernelBackend, code: object | undefined): void {
  if (backend === 'js' || code === undefined) return;
  adoptCompiledKernelModule(backend === 'wasm-relaxed' ? 'relaxed' : 'simd', code);
}
