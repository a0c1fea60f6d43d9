import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/files.js';
import { writeTrainingLog } from '../../write/writeTrainingLog.js';
import { readFooter } from './readFooter.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** `bytes` behind a ReadAt. */
const over =
  (bytes: Uint8Array) =>
  (target: Uint8Array, position: number): number => {
    const src = bytes.subarray(position, position + target.length);
    target.set(src);
    return src.length;
  };

describe('readFooter', () => {
  it('parses a Parquet footer: its row groups and their rows', async () => {
    const path = join(dir, 'log.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 300, classes: 3, epochs: 1, batchRows: 100 });
    const bytes = new Uint8Array(await readFile(path));
    const metadata = readFooter(over(bytes), bytes.length);
    expect(metadata?.row_groups.map((g) => Number(g.num_rows))).toEqual([100, 100, 100]);
    // A footer length past the file's start, or bytes cut short: not a footer.
    const wrongLength = bytes.slice();
    new DataView(wrongLength.buffer).setUint32(bytes.length - 8, bytes.length, true);
    expect(readFooter(over(wrongLength), bytes.length)).toBeUndefined();
    expect(readFooter(over(bytes.subarray(0, 200)), bytes.length)).toBeUndefined();
    expect(readFooter(over(bytes), 8)).toBeUndefined();
  });
});
