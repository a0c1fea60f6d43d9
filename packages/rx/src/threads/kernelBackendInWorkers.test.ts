/**
 * Worker threads run the kernels of the thread that started them (lossTask's `setup` takes the
 * reading thread's `getKernelBackend()`): under 'wasm-relaxed' (switched on by flag on Node 20)
 * every batch's state is bit-identical in this thread and in 1, 2 and 3 workers, and differs from
 * the states under 'wasm', so a worker that picked the other module would be caught.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { type ActiveKernelBackend, getKernelBackend, setKernelBackend } from '@lossflow/core';
import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
} from 'apache-arrow';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { losses } from '../operators/losses.js';
import { binaryCrossEntropyWithLogits, crossEntropy } from '../operators/lossOperators.js';
import { type FromFileOptions, fromFile } from '../sources/fromFile.js';

// Node 20's V8 has relaxed SIMD behind a flag; V8's flags are per process, so workers see it too.
if (process.versions.node.startsWith('20.')) setFlagsFromString('--experimental-wasm-relaxed-simd');

// Worker threads start slowly on a busy machine (turbo runs the packages' tests side by side).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const C = 37;
let dir: string;
let path: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossflow-rx-kernels-'));
  path = join(dir, 'log.arrows');
  const rowType = new FixedSizeList(C, new Field('item', new Float32(), false));
  const fields = [
    new Field('logits', rowType, false),
    new Field('target', new Int32(), false),
    new Field('pred', new Float32(), false),
    new Field('y', new Float32(), false),
  ];
  const batches: RecordBatch[] = [];
  for (let start = 0; start < 6000; start += 500) {
    const n = 500;
    const children = [
      makeData({
        type: rowType,
        length: n,
        child: makeData({
          type: new Float32(),
          length: n * C,
          data: Float32Array.from({ length: n * C }, (_, i) => Math.sin((start * C + i) * 0.61) * 9),
        }),
      }),
      makeData({
        type: new Int32(),
        length: n,
        data: Int32Array.from({ length: n }, (_, i) => (start + i) % C),
      }),
      makeData({
        type: new Float32(),
        length: n,
        data: Float32Array.from({ length: n }, (_, i) => Math.cos(start + i) * 6),
      }),
      makeData({
        type: new Float32(),
        length: n,
        data: Float32Array.from({ length: n }, (_, i) => ((start + i) % 7) / 7),
      }),
    ];
    batches.push(
      new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children })),
    );
  }
  writeFileSync(path, RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
});
afterAll(async () => {
  setKernelBackend('auto');
  await rm(dir, { recursive: true, force: true });
});

/** Every batch's state (float64 sums) of two losses with WASM kernels, as JSON of their exact values. */
async function states(backend: ActiveKernelBackend, threads: FromFileOptions): Promise<string> {
  setKernelBackend(backend);
  const chunks = await lastValueFrom(
    fromFile(path, threads).pipe(
      losses(crossEntropy(), binaryCrossEntropyWithLogits({ input: 'pred', target: 'y' })),
      toArray(),
    ),
  );
  return JSON.stringify(chunks.map((c) => c.map((chunk) => chunk.state)));
}

it("workers run the reading thread's 'wasm-relaxed' kernels: the same bits for every thread count", async () => {
  const inThread = await states('wasm-relaxed', { threads: 0 });
  for (const threads of [1, 2, 3]) expect(await states('wasm-relaxed', { threads })).toBe(inThread);
  expect(await states('wasm-relaxed', { threads: 2, inThisThread: true })).toBe(inThread);
  // Under 'wasm' the states differ (in their last bits), in this thread and in workers alike.
  const plain = await states('wasm', { threads: 0 });
  expect(plain).not.toBe(inThread);
  expect(await states('wasm', { threads: 2 })).toBe(plain);
});

it('a pool that computed in this thread too leaves its kernels as set after it, even when its workers did every job', async () => {
  // Workers left ready by earlier pools can do every job before this thread has loaded the task
  // module: its setup (which takes the pool's kernels) must not run once the pool is over.
  for (let round = 0; round < 24; round++) {
    await states('wasm-relaxed', { threads: 3, inThisThread: true });
    setKernelBackend('wasm');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(getKernelBackend(), `round ${round}`).toBe('wasm');
  }
});
