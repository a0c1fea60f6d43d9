import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAll, smallLog, tempDir } from './testing/files.js';

// Whether the Parquet reader's module was evaluated, and by then: mocked to record it, else itself.
const loaded = vi.hoisted(() => ({ parquet: false }));
vi.mock('./parquet/readParquet.js', async (original) => {
  loaded.parquet = true;
  return await original();
});

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});

afterAll(async () => {
  await cleanup();
});

describe('the Node platform', () => {
  it('loads the Parquet reader for the first Parquet input, not for an Arrow IPC read', async () => {
    // The package's Node entry: everything a file read, the worker pool included, can reach.
    await import('./node.js');
    const log = { rows: 40, classes: 3, epochs: 1 };
    expect((await readAll(await smallLog(dir, 'arrow-stream', log))).rows).toBe(40);
    expect((await readAll(await smallLog(dir, 'arrow-file', log))).rows).toBe(40);
    expect(loaded.parquet).toBe(false);

    expect((await readAll(await smallLog(dir, 'parquet', log))).rows).toBe(40);
    expect(loaded.parquet).toBe(true);
  });
});
