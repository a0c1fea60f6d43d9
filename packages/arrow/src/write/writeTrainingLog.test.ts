import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile as readArrow } from '../read/readFile.js';
import { FORMATS, tempDir } from '../testing/files.js';
import { trainingLogBatches } from './trainingLogBatches.js';
import { writeTrainingLog } from './writeTrainingLog.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const options = { rows: 3000, classes: 7, epochs: 3, batchRows: 1000, seed: 9, ignoreShare: 0.05 };

describe('writeTrainingLog', () => {
  for (const format of FORMATS) {
    it(`writes the generated log as ${format}, readable back to the same values`, async () => {
      const path = join(dir, `log.${format}`);
      const written = await writeTrainingLog(path, format, options);
      expect(written.rows).toBe(9000);
      expect(written.bytes).toBe((await stat(path)).size);
      const reader = readArrow(path);
      expect(await reader.format()).toBe(format);
      const expected = [...trainingLogBatches(options)];
      let row = 0;
      for await (const batch of reader) {
        const x = batch.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
        const t = batch.getChild('target')!.data[0]!.values as BigInt64Array;
        for (let r = 0; r < batch.numRows; r++, row++) {
          const e = expected[Math.floor(row / 1000)]!;
          const i = row % 1000;
          expect(t[r]).toBe((e.getChild('target')!.data[0]!.values as BigInt64Array)[i]);
          expect(x[r * 7 + 3]).toBe(
            (e.getChild('logits')!.data[0]!.children[0]!.values as Float32Array)[i * 7 + 3],
          );
        }
      }
      expect(row).toBe(9000);
    });
  }

  it('Parquet row groups hold batchRows rows', async () => {
    const path = join(dir, 'groups.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 2500, classes: 3, epochs: 1, batchRows: 500 });
    const bytes = new Uint8Array(await readFile(path));
    const reader = readArrow(bytes);
    const sizes: number[] = [];
    for await (const b of reader) sizes.push(b.numRows);
    expect(sizes).toEqual([500, 500, 500, 500, 500]);
  });
});
