/**
 * The temporary copy of a piped Arrow IPC file or Parquet file never outlives its process: a CLI
 * that exits from a signal handler (`process.exit()`, which runs no pending promise) leaves no
 * `lossflow-spill-*` file, and reads that close normally leave no `'exit'` listener behind.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatches } from './readBatches.js';
import { chunked, smallLog, tempDir } from './testing/files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const spillsIn = async (folder: string) =>
  (await readdir(folder)).filter((f) => f.startsWith('lossflow-spill-'));

/** Reads stdin, says `ready` once it has a batch (the spill is written), then waits for a signal. */
const CHILD = `
import { readBatches } from ${JSON.stringify(pathToFileURL(new URL('../dist/index.js', import.meta.url).pathname).href)};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));
const keepAlive = setInterval(() => undefined, 1000);
const reader = readBatches(process.stdin)[Symbol.asyncIterator]();
await reader.next();
console.log('ready');
`;

describe('spillToTempFile', () => {
  for (const format of ['arrow-file', 'parquet'] as const) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      it(`${format}: a process that exits on ${signal} from its handler leaves no spill file`, async () => {
        const folder = join(dir, `${format}-${signal}`);
        await mkdir(folder);
        const bytes = await smallLog(dir, format, { rows: 100, classes: 3, epochs: 1, batchRows: 16 });
        const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
          env: { ...process.env, TMPDIR: folder },
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        child.stdin.end(bytes);
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        let out = '';
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('ready')) resolve();
          });
          child.on('exit', () => reject(new Error(`the child ended before reading: ${out}`)));
        });
        // The copy exists while the input is read: the check below is not vacuous.
        expect(await spillsIn(folder)).toHaveLength(1);
        child.kill(signal);
        expect(await exited).toBe(130);
        expect(await spillsIn(folder)).toEqual([]);
      });
    }
  }

  it("reads that close leave no 'exit' listener behind", async () => {
    const bytes = await readFile(join(dir, (await readdir(dir)).find((f) => f.startsWith('small-parquet'))!));
    const before = process.listenerCount('exit');
    for (let i = 0; i < 3; i++) {
      let rows = 0;
      for await (const batch of readBatches(Readable.from(chunked(new Uint8Array(bytes)))))
        rows += batch.numRows;
      expect(rows).toBe(100);
    }
    expect(process.listenerCount('exit')).toBe(before);
  });
});
