/**
 * The temporary copy of a piped Arrow IPC file or Parquet file never outlives its process: a CLI
 * that exits from a signal handler (`process.exit()`, which runs no pending promise) leaves no
 * `lossflow-spill-*` file, and reads that close normally leave no `'exit'` listener behind.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatches } from '../read/readBatches.js';
import { chunked, smallLog, tempDir } from '../testing/files.js';
import { spillFileName } from './staleSpills.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const spillsIn = async (folder: string) =>
  (await readdir(folder)).filter((f) => f.startsWith('lossflow-spill-'));

/**
 * Reads stdin, says `ready` once it has a batch (the spill is written), then waits for a signal,
 * which its own handler answers with process.exit(130) (`handles`), or nothing does.
 */
const child = (handles: boolean) => `
import { readBatches } from ${JSON.stringify(pathToFileURL(new URL('../../dist/index.js', import.meta.url).pathname).href)};
${handles ? "for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));" : ''}
const keepAlive = setInterval(() => undefined, 1000);
const reader = readBatches(process.stdin)[Symbol.asyncIterator]();
await reader.next();
console.log('ready');
`;

describe('spillToTempFile', () => {
  for (const format of ['arrow-file', 'parquet'] as const) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      for (const handles of [true, false]) {
        it(`${format}: a process ${handles ? 'that exits on' : 'ended by'} ${signal}${handles ? ' from its handler' : ' (no handler of its own)'} leaves no spill file`, async () => {
          const folder = join(dir, `${format}-${signal}-${handles}`);
          await mkdir(folder);
          const bytes = await smallLog(dir, format, { rows: 100, classes: 3, epochs: 1, batchRows: 16 });
          const proc = spawn(process.execPath, ['--input-type=module', '-e', child(handles)], {
            env: { ...process.env, TMPDIR: folder },
            stdio: ['pipe', 'pipe', 'inherit'],
          });
          proc.stdin.end(bytes);
          const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
            proc.on('exit', (code, sig) => resolve([code, sig])),
          );
          let out = '';
          await new Promise<void>((resolve, reject) => {
            proc.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              if (out.includes('ready')) resolve();
            });
            proc.on('exit', () => reject(new Error(`the child ended before reading: ${out}`)));
          });
          // The copy exists while the input is read: the check below is not vacuous.
          expect(await spillsIn(folder)).toHaveLength(1);
          proc.kill(signal);
          // Without a handler of its own, the process still ends by the signal, as it would have.
          expect(await exited).toEqual(handles ? [130, null] : [null, signal]);
          expect(await spillsIn(folder)).toEqual([]);
        });
      }
    }
  }

  it("a spill left by a process killed with SIGKILL is removed by the next spill in that folder; live and other machines' are kept", async () => {
    const folder = join(dir, 'sigkill');
    await mkdir(folder);
    const bytes = await smallLog(dir, 'parquet', { rows: 100, classes: 3, epochs: 1, batchRows: 16 });
    /** A child that spills `bytes` (and says `ready`), then waits until killed. */
    const spill = async (): Promise<{ kill: () => Promise<void> }> => {
      const proc = spawn(process.execPath, ['--input-type=module', '-e', child(false)], {
        env: { ...process.env, TMPDIR: folder },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      proc.stdin.end(bytes);
      const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
      let out = '';
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready')) resolve();
        });
        proc.on('exit', () => reject(new Error(`the child ended before reading: ${out}`)));
      });
      return {
        kill: async () => {
          proc.kill('SIGKILL');
          await exited;
        },
      };
    };
    const killed = await spill();
    await killed.kill();
    const [left] = await spillsIn(folder);
    expect(left).toMatch(/^lossflow-spill-\d+-[0-9a-f-]{36}\.[A-Za-z0-9-]+$/);
    // Spills of a running process (this one) and of another machine's process look alike: kept.
    const live = spillFileName(randomUUID());
    const elsewhere = spillFileName(randomUUID(), 4_000_001, 'another-machine');
    await writeFile(join(folder, live), 'in use');
    await writeFile(join(folder, elsewhere), 'in use elsewhere');

    const next = await spill();
    const now = await spillsIn(folder);
    expect(now).not.toContain(left);
    expect(now).toContain(live);
    expect(now).toContain(elsewhere);
    expect(now).toHaveLength(3);
    await next.kill();
  });

  it("reads that close leave no 'exit' listener behind", async () => {
    const bytes = await readFile(join(dir, (await readdir(dir)).find((f) => f.startsWith('small-parquet'))!));
    const before = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP'].map((e) => process.listenerCount(e));
    for (let i = 0; i < 3; i++) {
      let rows = 0;
      for await (const batch of readBatches(Readable.from(chunked(new Uint8Array(bytes)))))
        rows += batch.numRows;
      expect(rows).toBe(100);
    }
    expect(['exit', 'SIGINT', 'SIGTERM', 'SIGHUP'].map((e) => process.listenerCount(e))).toEqual(before);
  });
});
