import { describe, expect, it } from 'vitest';
import { staticImports } from '../../../../scripts/staticImports.mjs';

describe('the loss task', () => {
  it("loads neither apache-arrow, RxJS nor @lossflow/arrow's root in a worker, only the light entries", () => {
    const { packages } = staticImports(new URL('./lossTask.ts', import.meta.url));
    expect(packages).toEqual(['@lossflow/arrow/worker', '@lossflow/core', '@lossflow/core/kernels']);
  });
});

describe('the loss task in a worker', () => {
  it("instantiates the reading thread's compiled kernel module, compiling none of its own", async () => {
    const { compiledKernels, wasmKernels } = await import('@lossflow/core/kernels');
    const { getKernelBackend } = await import('@lossflow/core');
    const kernels = getKernelBackend();
    expect(wasmKernels()).not.toBeNull();
    const compiled = compiledKernels();
    const wasm = (globalThis as unknown as { WebAssembly: { Module: new (code: Uint8Array) => object } })
      .WebAssembly;
    expect(compiled).toBeInstanceOf(wasm.Module);
    // A worker thread of its own, which loads the task as the pool does and reports what it compiled.
    const { Worker } = await import('node:worker_threads');
    const task = new URL('../../dist/threads/lossTask.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
      let compiles = 0;
      const Module = WebAssembly.Module;
      WebAssembly.Module = function (...args) { compiles++; return new Module(...args); };
      import(workerData.task).then((t) => {
        t.setup({ kernels: workerData.kernels, compiled: workerData.compiled, losses: [] });
        const io = t.memory(64);
        parentPort.postMessage({ compiles, io: io !== undefined });
      });`,
      { eval: true, workerData: { task, kernels, compiled } },
    );
    try {
      const reply = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(reply).toEqual({ compiles: 0, io: true });
    } finally {
      await worker.terminate();
    }
  });
});

describe('the loss task over a batch', () => {
  it('builds the tensors of the columns its loss and metrics share once', async () => {
    const { run, setup } = await import('./lossTask.js');
    const { getKernelBackend } = await import('@lossflow/core');
    const columns = { input: 'logits', target: 'target' };
    setup({
      kernels: getKernelBackend(),
      losses: [{ name: 'crossEntropy', options: {}, by: undefined, nulls: 'error', columns }],
      metrics: ['accuracy', 'topKAccuracy', 'calibrationError'].map((metric) => ({
        metric,
        options: metric === 'topKAccuracy' ? { k: 2 } : {},
        by: undefined,
        nulls: 'error' as const,
        columns,
      })),
    });
    const logits = new Float32Array([2, 0.5, -1, 0.1, 0.3, 0.2, -2, 4, 1]);
    const target = new BigInt64Array([0n, 2n, 1n]);
    let builds = 0;
    const batch = {
      rows: 3,
      tensors: () => {
        builds++;
        return {
          tensors: { input: { data: logits, shape: [3, 3] }, target: { data: target, shape: [3] } },
          rows: 3,
          skipped: 0,
        };
      },
    } as unknown as Parameters<typeof run>[0];
    const pass = run(batch);
    expect(builds).toBe(1);
    expect(pass.losses).toHaveLength(1);
    expect(pass.metrics.map((m) => m.state.counts[0])).toEqual([2, 3, 0]);
    setup({ kernels: getKernelBackend(), losses: [] });
  });
});
