import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
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

  it('given the schema read before, opens without parquet-wasm until a column chunk needs it: the same rows either way', async () => {
    const path = join(dir, 'lazy.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 300, classes: 5, epochs: 1, batchRows: 100 });
    const { size } = await stat(path);
    const handle = await open(path, 'r');
    try {
      const full = await openParquetFile(readAtFd(handle.fd), size);
      expect(full.generalOpened()).toBe(true);
      const lazy = await openParquetFile(readAtFd(handle.fd), size, undefined, { schema: full.meta.schema });
      expect(lazy.generalOpened()).toBe(false);
      expect(lazy.meta.rowGroups).toEqual(full.meta.rowGroups);
      // Rows located page by page, and a row group decoded by the fast path: no parquet-wasm.
      const located = lazy.locateRows(1, ['logits', 'target'], 10, 60)!;
      const want = full.locateRows(1, ['logits', 'target'], 10, 60)!;
      located.forEach((reader, c) => {
        const got = new Uint8Array(reader.valueBytes);
        reader.copyValues(got);
        const expected = new Uint8Array(want[c]!.valueBytes);
        want[c]!.copyValues(expected);
        expect(Buffer.compare(Buffer.from(got), Buffer.from(expected))).toBe(0);
      });
      const fast = await lazy.read(2, ['logits', 'target'], 64, undefined);
      expect(
        Buffer.compare(
          Buffer.from(fast),
          Buffer.from(await full.read(2, ['logits', 'target'], 64, undefined)),
        ),
      ).toBe(0);
      expect(lazy.generalOpened()).toBe(false);
      // A column the fast path leaves (text): parquet-wasm, opened then, gives the same rows.
      const mixed = join(dir, 'mixed.parquet');
      const duck = await (await DuckDBInstance.create(':memory:')).connect();
      await duck.run(
        `COPY (SELECT i::FLOAT AS x, 'row ' || i AS name FROM range(300) t(i)) TO '${mixed}' (FORMAT parquet)`,
      );
      duck.closeSync();
      const m = await open(mixed, 'r');
      try {
        const mixedSize = (await stat(mixed)).size;
        const mixedFull = await openParquetFile(readAtFd(m.fd), mixedSize);
        const mixedLazy = await openParquetFile(readAtFd(m.fd), mixedSize, undefined, {
          schema: mixedFull.meta.schema,
        });
        const x = await mixedLazy.read(0, ['x'], 64, undefined);
        expect(mixedLazy.generalOpened()).toBe(false);
        expect(
          Buffer.compare(Buffer.from(x), Buffer.from(await mixedFull.read(0, ['x'], 64, undefined))),
        ).toBe(0);
        const both = await mixedLazy.read(0, undefined, 64, undefined);
        expect(mixedLazy.generalOpened()).toBe(true);
        expect(
          Buffer.compare(Buffer.from(both), Buffer.from(await mixedFull.read(0, undefined, 64, undefined))),
        ).toBe(0);
      } finally {
        await m.close();
      }
    } finally {
      await handle.close();
    }
  });
});
