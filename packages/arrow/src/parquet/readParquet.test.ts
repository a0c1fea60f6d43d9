/**
 * The in-thread Parquet reader: its decoding thread reads the reading thread's open file (never the
 * path again), and a decoder trap on a damaged page is CORRUPT naming the row group.
 */
import { spawnSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { readFile as readFileBytes, writeFile as writeFileBytes } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RecordBatch, Table, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { MemoryByteReader } from '../io/MemoryByteReader.js';
import { openFileReader } from '../io/openFileReader.js';
import { readFile } from '../read/readFile.js';
import { damagedParquet, openFds, readAll, tempDir } from '../testing/files.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import { readParquet } from './readParquet.js';

const LOG = { rows: 300, classes: 4, epochs: 2, batchRows: 64, ignoreShare: 0.1 };

/** Worker threads started so far (the decoder's): the real class, counted. */
const started = vi.hoisted(() => ({ workers: 0 }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      started.workers++;
    }
  }
  return { ...real, Worker: CountedWorker };
});

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('readParquet', () => {
  it('reads in a process started with `node --input-type=module -e`', async () => {
    const path = join(dir, 'eval.parquet');
    await writeTrainingLog(path, 'parquet', LOG);
    const index = pathToFileURL(new URL('../../dist/node.js', import.meta.url).pathname).href;
    const script = `
      import { readFile } from ${JSON.stringify(index)};
      let rows = 0;
      for await (const b of readFile(${JSON.stringify(path)})) rows += b.numRows;
      console.log(rows);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect([run.status, run.stdout.trim()]).toEqual([0, String(LOG.rows * LOG.epochs)]);
  });

  it('decodes the file it was given open, not another file renamed over its path since', async () => {
    const path = join(dir, 'published.parquet');
    const next = join(dir, 'next.parquet');
    await writeTrainingLog(path, 'parquet', { ...LOG, seed: 1 });
    await writeTrainingLog(next, 'parquet', { ...LOG, seed: 2 });
    const first = await readAll(path);
    expect((await readAll(next)).sum).not.toBe(first.sum);
    const before = await openFds();
    const bytes = await openFileReader(path);
    // Published while this reader has the first file open, before its decoder starts.
    renameSync(next, path);
    const source = await readParquet(bytes);
    let rows = 0;
    let sum = 0;
    for (let batch = await source.next(); batch !== undefined; batch = await source.next()) {
      rows += batch.numRows;
      const x = batch.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
      for (let i = 0; i < batch.numRows * LOG.classes; i++) sum += x[i]!;
    }
    await source.close();
    expect({ rows, sum }).toEqual({ rows: first.rows, sum: first.sum });
    // The descriptor the decoder read through is closed once it has ended.
    expect(await openFds()).toBe(before);
  });

  it('takes a plain file’s schema from its footer: no decoder thread until a row group is read', async () => {
    const path = join(dir, 'probed.parquet');
    await writeTrainingLog(path, 'parquet', LOG);
    const before = started.workers;
    const probe = await readParquet(await openFileReader(path));
    const schema = probe.schema;
    await probe.close();
    // `lossflow eval` opens each file for its schema first: that cost a thread and parquet-wasm.
    expect(started.workers).toBe(before);
    // The schema parquet-wasm gives (bytes in memory are always opened by the decoder).
    const bytes = new MemoryByteReader(new Uint8Array(await readFileBytes(path)), path);
    const decoded = await readParquet(bytes);
    await decoded.close();
    expect(started.workers).toBe(before + 1);
    expect(String(schema)).toBe(String(decoded.schema));
    expect(schema.fields.map((f) => f.name)).toEqual(['epoch', 'step', 'logits', 'target']);
    // Read, it starts its decoder, which opens the file itself, and gives every row.
    const fds = await openFds();
    const source = await readParquet(await openFileReader(path), { columns: ['logits', 'target'] });
    let rows = 0;
    for (let batch = await source.next(); batch !== undefined; batch = await source.next())
      rows += batch.numRows;
    await source.close();
    expect(started.workers).toBe(before + 2);
    expect(rows).toBe(LOG.rows * LOG.epochs);
    expect(await openFds()).toBe(fds);
  });

  it('a data page that makes the decoder trap is CORRUPT naming the file and row group, with a hint', async () => {
    const path = await damagedParquet(dir);
    let failure: unknown;
    try {
      for await (const _ of readFile(path, { columns: ['logits', 'target'] })) {
        // Row group 0 reads; row group 1 traps.
      }
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(ArrowReadError);
    expect(failure).toMatchObject({ code: 'CORRUPT', file: path, rowGroup: 1 });
    expect((failure as Error).message).toMatch(
      /a data page of row group 1 \(decoding columns 'logits', 'target'\): unreachable.*write or copy it again/,
    );
  });

  it('a row group whose footer row count was changed is CORRUPT, never fewer or more rows', async () => {
    // 3 row groups of 500 rows: each `num_rows: 500` is the thrift field header 0x16 then the
    // zigzag varint of 500 (0xe8 0x07); lower one to 400 (0xa0 0x06), pages untouched.
    const path = join(dir, 'counted.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 500, classes: 3, epochs: 3, batchRows: 500 });
    const good = await readFileBytes(path);
    const footerLength = new DataView(good.buffer, good.byteOffset).getUint32(good.length - 8, true);
    const outcomes = new Set<string>();
    for (let at = good.length - 8 - footerLength; at < good.length - 10; at++) {
      if (good[at] !== 0x16 || good[at + 1] !== 0xe8 || good[at + 2] !== 0x07) continue;
      const bad = good.slice();
      bad[at + 1] = 0xa0;
      bad[at + 2] = 0x06;
      const damaged = join(dir, `counted-${at}.parquet`);
      await writeFileBytes(damaged, bad);
      let rows = 0;
      try {
        for await (const b of readFile(damaged, { columns: ['logits', 'target'] })) rows += b.numRows;
        outcomes.add(rows === 1500 ? 'all rows' : `wrong row count ${rows}`);
      } catch (e) {
        outcomes.add(e instanceof ArrowReadError ? e.code : String(e));
      }
    }
    expect(outcomes.has('CORRUPT')).toBe(true);
    expect([...outcomes].filter((o) => o !== 'CORRUPT' && o !== 'all rows')).toEqual([]);
  });
});

describe('readFile of Parquet from a row group (parquetRowGroups)', () => {
  it('gives the batches a whole read gives for those row groups, the limit counted from the first, and refuses Arrow IPC', async () => {
    // Row groups of 64 rows: 600 rows in 10 row groups.
    const path = join(dir, 'row-groups.parquet');
    await writeTrainingLog(path, 'parquet', LOG);
    const whole = await batchesOf(readFile(path));
    expect(whole.length).toBe(10);
    const part = await batchesOf(readFile(path, { parquetRowGroups: { first: 3, end: 7 } }));
    expect(part.map((b) => b.numRows)).toEqual(whole.slice(3, 7).map((b) => b.numRows));
    const bytes = (b: RecordBatch): Buffer => Buffer.from(tableToIPC(new Table(b)));
    expect(part.map(bytes)).toEqual(whole.slice(3, 7).map(bytes));
    const limited = await batchesOf(readFile(path, { parquetRowGroups: { first: 8 }, limit: 70 }));
    expect(limited.map((b) => b.numRows)).toEqual([64, 6]);
    expect(bytes(limited[0]!)).toEqual(bytes(whole[8]!));
    const ipc = join(dir, 'row-groups.arrows');
    await writeTrainingLog(ipc, 'arrow-stream', LOG);
    await expect(batchesOf(readFile(ipc, { parquetRowGroups: { first: 1 } }))).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    expect(() => readFile(path, { parquetRowGroups: { first: 2, end: 1 } })).toThrow(/parquetRowGroups.end/);
  });
});

async function batchesOf(reader: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const batch of reader) out.push(batch);
  return out;
}
