import { open } from 'node:fs/promises';
import { join } from 'node:path';
import * as metadata from 'hyparquet/src/metadata.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../testing/files.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import { openParquetRowGroups } from './parquetRowGroups.js';

vi.mock('hyparquet/src/metadata.js', async (original) => {
  const actual = await original<typeof import('hyparquet/src/metadata.js')>();
  return { ...actual, parquetMetadata: vi.fn(actual.parquetMetadata) };
});

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());
beforeEach(() => {
  vi.mocked(metadata.parquetMetadata).mockClear();
});

describe('openParquetRowGroups', () => {
  it('parses the footer once, for the meta it answers and for the fast path', async () => {
    const path = join(dir, 'log.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 3000, classes: 5, epochs: 1, batchRows: 1000 });
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      const first = await openParquetRowGroups(handle.fd, size, path);
      expect(first.meta.rowGroups).toEqual([1000, 1000, 1000]);
      expect(first.locateRows(2, ['logits', 'target'], 0, 1000)).toBeDefined();
      expect(metadata.parquetMetadata).toHaveBeenCalledTimes(1);
      // Given the schema (a pool's other workers), in the same thread: the same footer's bytes, not parsed again.
      const other = await openParquetRowGroups(handle.fd, size, path, first.meta.schema);
      expect(other.locateRows(1, ['logits'], 10, 20)![0]!.hi).toBe(20 * 5);
      expect(metadata.parquetMetadata).toHaveBeenCalledTimes(1);
    } finally {
      await handle.close();
    }
  });
});
