import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet/src/metadata.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/files.js';
import { trainingLogBatches } from './trainingLogBatches.js';
import { writeParquet } from './writeParquet.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('writeParquet', () => {
  it('writes float values PLAIN (no dictionary) and keeps dictionaries for integer keys', async () => {
    const path = join(dir, 'encodings.parquet');
    await writeParquet(path, trainingLogBatches({ rows: 4000, classes: 10, epochs: 2, batchRows: 1000 }), {
      rowGroupRows: 2000,
    });
    const bytes = await readFile(path);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(meta.row_groups).toHaveLength(4);
    for (const group of meta.row_groups) {
      const byColumn = new Map(group.columns.map((c) => [c.meta_data!.path_in_schema[0]!, c.meta_data!]));
      const logits = byColumn.get('logits')!;
      expect(logits.type).toBe('FLOAT');
      expect(logits.dictionary_page_offset).toBeUndefined();
      expect(logits.encodings).not.toContain('RLE_DICTIONARY');
      expect(logits.encodings).not.toContain('PLAIN_DICTIONARY');
      expect(logits.encodings).toContain('PLAIN');
      for (const key of ['epoch', 'target']) {
        const meta = byColumn.get(key)!;
        expect(meta.dictionary_page_offset).toBeDefined();
        expect(meta.encodings.some((e) => e.endsWith('DICTIONARY'))).toBe(true);
      }
    }
  });

  it("dictionary: 'all' writes float dictionaries too, as parquet-rs's default", async () => {
    const path = join(dir, 'all.parquet');
    await writeParquet(path, trainingLogBatches({ rows: 1000, classes: 10, epochs: 1 }), {
      dictionary: 'all',
    });
    const bytes = await readFile(path);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const logits = meta.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'logits')!;
    expect(logits.meta_data!.dictionary_page_offset).toBeDefined();
  });
});
