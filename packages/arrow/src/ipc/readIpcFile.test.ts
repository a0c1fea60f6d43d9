import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from '../read/readFile.js';
import { tempDir } from '../testing/files.js';
import { trainingLogBatches, trainingLogSchema } from '../write/trainingLogBatches.js';
import { writeIpcFile } from '../write/writeIpcStream.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('readIpcFile', () => {
  it('reads an IPC file whose footer lists no batches (as apache-arrow writes one) as no batches, as worker pools do', async () => {
    const path = join(dir, 'none.arrow');
    const out = writeIpcFile(path, trainingLogSchema(3));
    await out.close();
    const inThread: number[] = [];
    for await (const batch of readFile(path)) inThread.push(batch.numRows);
    expect(inThread).toEqual([]);
  });

  it('still reads a batch of no rows among the footer’s batches as the batches it lists', async () => {
    const path = join(dir, 'zero-rows.arrow');
    const [first] = trainingLogBatches({ rows: 10, classes: 3, epochs: 1 });
    const out = writeIpcFile(path, first!.schema);
    await out.write(first!.slice(0, 0));
    await out.write(first!);
    await out.close();
    const rows: number[] = [];
    for await (const batch of readFile(path)) rows.push(batch.numRows);
    expect(rows).toEqual([10]);
  });
});
