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

  it('parses a footer once a thread: the same bytes give the same metadata, other bytes their own', async () => {
    const a = join(dir, 'a.parquet');
    const b = join(dir, 'b.parquet');
    await writeTrainingLog(a, 'parquet', { rows: 300, classes: 3, epochs: 1, batchRows: 100 });
    await writeTrainingLog(b, 'parquet', { rows: 300, classes: 3, epochs: 1, batchRows: 150 });
    const bytesA = new Uint8Array(await readFile(a));
    const bytesB = new Uint8Array(await readFile(b));
    const first = readFooter(over(bytesA), bytesA.length);
    expect(readFooter(over(bytesA.slice()), bytesA.length)).toBe(first);
    const other = readFooter(over(bytesB), bytesB.length);
    expect(other).not.toBe(first);
    expect(other?.row_groups.map((g) => Number(g.num_rows))).toEqual([150, 150]);
    // One byte of the footer changed (a letter of its writer's name), nothing else: parsed anew.
    const again = readFooter(over(bytesA), bytesA.length);
    expect(readFooter(over(bytesA), bytesA.length)).toBe(again);
    const changed = bytesA.slice();
    const name = new TextEncoder().encode(first!.created_by!);
    const tail = changed.subarray(changed.length - 8 - 4096);
    let at = -1;
    for (let i = tail.length - name.length; i >= 0 && at < 0; i--)
      if (name.every((c, k) => tail[i + k] === c)) at = i;
    expect(at).toBeGreaterThanOrEqual(0);
    tail[at] = tail[at]! ^ 0x20; // its first letter's case
    const parsed = readFooter(over(changed), changed.length);
    expect(parsed).not.toBe(again);
    expect(parsed?.created_by).not.toBe(first!.created_by);
    expect(parsed?.created_by?.toLowerCase()).toBe(first!.created_by!.toLowerCase());
  });
});
