import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/files.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import { openParquetFile } from './parquetFile.js';
import { readAtFd } from './readAtFd.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('openParquetFile (the one Parquet decoding body)', () => {
  it('reads the footer, then only the column chunks asked for, through the reads it is given', async () => {
    const path = join(dir, 'log.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 200, classes: 50, epochs: 1, batchRows: 100 });
    const { size } = await stat(path);
    const handle = await open(path, 'r');
    try {
      let read = 0;
      const file = await openParquetFile(readAtFd(handle.fd), size, (n) => {
        read += n;
      });
      expect(file.meta.rowGroups).toEqual([100, 100]);
      expect(file.meta.unsupported).toEqual([]);
      expect(tableFromIPC(file.meta.schema).schema.fields.map((f) => f.name)).toContain('target');
      const afterFooter = read;
      const table = tableFromIPC(await file.read(1, ['target'], 30, undefined));
      expect(table.numRows).toBe(100);
      expect(table.schema.fields.map((f) => f.name)).toEqual(['target']);
      expect(table.batches.length).toBe(4);
      // Only the target column's chunk of row group 1, far less than the logits.
      expect(read - afterFooter).toBeGreaterThan(0);
      expect(read - afterFooter).toBeLessThan(size / 10);
      expect(tableFromIPC(await file.read(0, undefined, 100, 7)).numRows).toBe(7);
    } finally {
      await handle.close();
    }
  });
});
