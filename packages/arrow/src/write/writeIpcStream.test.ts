import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Field, Float64, Int64, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { readFile as readArrow } from '../read/readFile.js';
import { batchOf, fixedList, floats } from '../testing/batches.js';
import { tempDir } from '../testing/files.js';
import { writeIpcFile, writeIpcStream } from './writeIpcStream.js';
import { writeParquet } from './writeParquet.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const schema = new Schema([new Field('step', new Int64(), false), new Field('loss', new Float64(), false)]);

function lossBatch(start: number, n: number): RecordBatch {
  const step = BigInt64Array.from({ length: n }, (_, i) => BigInt(start + i));
  const loss = Float64Array.from({ length: n }, (_, i) => (start + i) / 10);
  return new RecordBatch(
    schema,
    makeData({
      type: new Struct(schema.fields),
      length: n,
      nullCount: 0,
      children: [makeData({ type: new Int64(), data: step }), makeData({ type: new Float64(), data: loss })],
    }),
  );
}

async function lossesOf(source: string | Uint8Array): Promise<number[]> {
  const out: number[] = [];
  for await (const b of readArrow(source)) out.push(...(b.getChild('loss')!.toArray() as Float64Array));
  return out;
}

describe('writeIpcStream', () => {
  it('writes batches incrementally to a path, ending with the end-of-stream marker', async () => {
    const path = join(dir, 'losses.arrows');
    const out = writeIpcStream(path, schema);
    for (let i = 0; i < 5; i++) await out.write(lossBatch(i * 100, 100));
    await out.close();
    const bytes = new Uint8Array(await readFile(path));
    expect(out.bytes).toBe(bytes.length);
    expect(Array.from(bytes.subarray(-8))).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    const losses = await lossesOf(path);
    expect(losses.length).toBe(500);
    expect(losses[499]).toBeCloseTo(49.9);
  });

  it('takes the schema from the first batch when none is given', async () => {
    const path = join(dir, 'inferred.arrows');
    const out = writeIpcStream(path);
    await out.write(lossBatch(0, 3));
    await out.close();
    expect(await lossesOf(path)).toEqual([0, 0.1, 0.2]);
  });

  it('a stream closed before any batch is an empty, valid stream', async () => {
    const path = join(dir, 'empty.arrows');
    const out = writeIpcStream(path, schema);
    await out.close();
    const reader = readArrow(path);
    expect((await reader.schema()).fields.map((f) => f.name)).toEqual(['step', 'loss']);
    expect(await lossesOf(path)).toEqual([]);
  });

  it('write resolves only once a slow Writable has drained (backpressure)', async () => {
    const chunks: Uint8Array[] = [];
    let peak = 0;
    const sink = new Writable({
      highWaterMark: 4096,
      write(chunk, _encoding, callback) {
        chunks.push(chunk);
        setTimeout(callback, 2);
      },
    });
    const out = writeIpcStream(sink, schema);
    for (let i = 0; i < 20; i++) {
      await out.write(lossBatch(i * 1000, 1000)); // 16 kB per batch, four times the high-water mark
      peak = Math.max(peak, sink.writableLength);
    }
    await out.close();
    // Without waiting for 'drain', the sink would have buffered most of the 320 kB.
    expect(peak).toBeLessThanOrEqual(sink.writableHighWaterMark);
    expect(sink.writableFinished).toBe(true);
    const bytes = new Uint8Array(Buffer.concat(chunks));
    expect((await lossesOf(bytes)).length).toBe(20_000);
  });

  it('a failing destination rejects the write with WRITE, without an unhandled error', async () => {
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk on fire'));
      },
    });
    const out = writeIpcStream(sink, schema);
    let error: unknown;
    try {
      for (let i = 0; i < 5; i++) await out.write(lossBatch(0, 10));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({
      code: 'WRITE',
      message: expect.stringMatching(/cannot write: disk on fire/),
    });
  });

  it('an output that cannot be written is WRITE, worded "cannot write" and naming the file', async () => {
    const path = join(dir, 'no-such-folder', 'out.arrows');
    const out = writeIpcStream(path, schema);
    const error = await out.write(lossBatch(0, 10)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({ code: 'WRITE', file: path });
    expect((error as Error).message).toMatch(/^WRITE: cannot write: ENOENT/);
    await expect(
      writeParquet(join(dir, 'no-such-folder', 'out.parquet'), [lossBatch(0, 10)]),
    ).rejects.toMatchObject({ code: 'WRITE', message: expect.stringMatching(/cannot write/) });
  });

  it('a batch of another schema is refused, naming both', async () => {
    const out = writeIpcStream(join(dir, 'mixed.arrows'), schema);
    await out.write(lossBatch(0, 2));
    const other = new RecordBatch({ loss: makeData({ type: new Float64(), data: new Float64Array(2) }) });
    await expect(out.write(other)).rejects.toMatchObject({
      code: 'BAD_COLUMN_TYPE',
      message: expect.stringMatching(
        /loss: Float64\) differ from the stream's \(step: Int64, loss: Float64\)/,
      ),
    });
    await expect(out.close()).rejects.toMatchObject({ code: 'BAD_COLUMN_TYPE' });
  });

  for (const [name, open] of [
    ['writeIpcStream', writeIpcStream],
    ['writeIpcFile', writeIpcFile],
  ] as const) {
    it(`${name}: after a refused batch, close() leaves the output without its end, so it reads as incomplete`, async () => {
      const path = join(dir, `refused-${name}`);
      const out = open(path);
      await out.write(lossBatch(0, 3));
      const other = new RecordBatch({ loss: makeData({ type: new Float64(), data: new Float64Array(2) }) });
      await expect(out.write(other)).rejects.toMatchObject({ code: 'BAD_COLUMN_TYPE' });
      // The writer has failed: a later batch of the right schema is refused too, and close() says so.
      await expect(out.write(lossBatch(3, 3))).rejects.toMatchObject({ code: 'BAD_COLUMN_TYPE' });
      await expect(out.close()).rejects.toMatchObject({ code: 'BAD_COLUMN_TYPE' });
      await expect(lossesOf(path)).rejects.toMatchObject({ code: 'TRUNCATED' });
    });
  }

  it('writeParquet refuses a batch of another schema before reporting anything written', async () => {
    const fsl = (size: number, rows: number) => batchOf({ logits: fixedList(size, floats(size * rows)) });
    for (const [first, second] of [
      [fsl(5, 2), fsl(3, 4)],
      [fsl(5, 0), fsl(3, 4)],
    ] as const) {
      const path = join(dir, `mixed-${first.numRows}.parquet`);
      await expect(writeParquet(path, [first, second])).rejects.toMatchObject({
        code: 'BAD_COLUMN_TYPE',
        message: expect.stringMatching(/differ from the file's/),
      });
      // What is left is no complete Parquet file.
      await expect(lossesOf(path)).rejects.toBeInstanceOf(ArrowReadError);
    }
  });

  it('writeParquet writes every row of batches of one schema, empty ones included', async () => {
    const path = join(dir, 'same.parquet');
    const empty = lossBatch(0, 0);
    expect(await writeParquet(path, [empty, lossBatch(0, 2), lossBatch(2, 4)])).toMatchObject({ rows: 6 });
    expect(await lossesOf(path)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('writeIpcFile writes an Arrow IPC file with its footer', async () => {
    const path = join(dir, 'losses.arrow');
    const out = writeIpcFile(path, schema);
    await out.write(lossBatch(0, 10));
    await out.write(lossBatch(10, 10));
    await out.close();
    const reader = readArrow(path);
    expect(await reader.format()).toBe('arrow-file');
    expect((await lossesOf(path)).length).toBe(20);
  });
});
