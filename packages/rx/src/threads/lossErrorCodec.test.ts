/**
 * A `mapBatchesInWorkers` task of a user's own that throws `LossError`s: with the codec registered
 * from `@lossflow/rx/worker` on both sides, they arrive as `LossError`s with code, context and batch.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mapBatchesInWorkers, writeTrainingLog } from '@lossflow/arrow/node';
import { LossError } from '@lossflow/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const resolve = (specifier: string) => pathToFileURL(createRequire(import.meta.url).resolve(specifier)).href;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossflow-rx-codec-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('registerLossErrorCodec', () => {
  it("is exported by @lossflow/rx/worker, and keeps a user task's LossError a LossError", async () => {
    const worker = await import('@lossflow/rx/worker');
    expect(typeof worker.registerLossErrorCodec).toBe('function');
    worker.registerLossErrorCodec();
    const task = join(dir, 'task.mjs');
    writeFileSync(
      task,
      `import { registerLossErrorCodec } from ${JSON.stringify(resolve('@lossflow/rx/worker'))};
import { LossError } from ${JSON.stringify(resolve('@lossflow/core'))};
registerLossErrorCodec();
let n = 0;
export function run() {
  if (n++ === 0) throw new LossError('TARGET_OUT_OF_RANGE', 'target 7 is outside [0, 3)', { loss: 'cross_entropy', row: 5 });
  return 1;
}`,
    );
    const log = join(dir, 'log.arrows');
    await writeTrainingLog(log, 'arrow-stream', { rows: 20, classes: 3, epochs: 1, batchRows: 10 });
    const reader = mapBatchesInWorkers<number>(
      log,
      () => ({ columns: ['target'], task: { module: pathToFileURL(task), data: undefined } }),
      {
        threads: 1,
      },
    );
    let error: unknown;
    try {
      for await (const _ of reader) {
        // Only the error matters.
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LossError);
    expect(error).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', loss: 'cross_entropy', row: 5, batch: 0 });
  });
});
