/**
 * A worker thread takes the kernels' module as the starting thread compiled it: it compiles none
 * of its own, and its losses are the same bits.
 */
import { afterEach, expect, it, vi } from 'vitest';

/** The engine's WebAssembly API (the package is typed without DOM or Node globals). */
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (code: Uint8Array) => object } })
  .WebAssembly;

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

/** The package's kernel modules as a fresh thread would have them (module state reset). */
async function freshThread() {
  vi.resetModules();
  return {
    ...(await import('./compiledKernels.js')),
    ...(await import('./kernelBackend.js')),
    ...(await import('../losses/mseLoss.js')),
  };
}

it('adoptCompiledKernels instantiates the module another thread compiled, compiling nothing itself', async () => {
  const x = Float32Array.from({ length: 1001 }, (_, i) => Math.fround(Math.sin(i)));
  const y = Float32Array.from({ length: 1001 }, (_, i) => Math.fround(Math.cos(i / 7)));
  const starter = await freshThread();
  const backend = starter.getKernelBackend();
  expect(backend).not.toBe('js');
  const compiled = starter.compiledKernels();
  expect(compiled).toBeInstanceOf(wasm.Module);
  const expected = starter.mseLoss(x, y);

  const worker = await freshThread();
  const compile = vi.spyOn(wasm, 'Module');
  worker.adoptCompiledKernels(backend, structuredClone(compiled));
  worker.setKernelBackend(backend);
  expect(worker.getKernelBackend()).toBe(backend);
  expect(worker.mseLoss(x, y)).toBe(expected);
  expect(compile).not.toHaveBeenCalled();
});

it("adoptCompiledKernels does nothing for 'js' or without a module: the thread compiles its own", async () => {
  const worker = await freshThread();
  worker.adoptCompiledKernels('js', undefined);
  worker.adoptCompiledKernels('wasm', undefined);
  expect(worker.compiledKernels()).toBeInstanceOf(wasm.Module);
});
