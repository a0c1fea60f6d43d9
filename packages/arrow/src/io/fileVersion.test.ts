/**
 * A file written to in place while it is read (`dd conv=notrunc`, a write at offset 0, an append)
 * fails with `CHANGED` in every reader and format, never a value mixing its two versions.
 */
import {
  type BigIntStats,
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Int64, makeData, RecordBatch, Struct } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { FileFormat } from '../format/detectFormat.js';
import { readIpcFile } from '../ipc/readIpcFile.js';
import { readIpcStream } from '../ipc/readIpcStream.js';
import { mapBatchesInWorkers } from '../parallel/mapBatchesInWorkers.js';
import { readParquet } from '../parquet/readParquet.js';
import { readFile } from '../read/readFile.js';
import { FORMATS, smallLog, tempDir } from '../testing/files.js';
import {
  type TrainingLogOptions,
  trainingLogBatches,
  trainingLogSchema,
} from '../write/trainingLogBatches.js';
import { writeIpcFile, writeIpcStream } from '../write/writeIpcStream.js';
import { writeParquet } from '../write/writeParquet.js';
import { checkFileVersionSync, settledStat, versionOf } from './fileVersion.js';
import { openFileReader } from './openFileReader.js';

const TASK = 'export function run(batch) { return batch.rows; }\n';

/** Fails as a loss does on a class index outside [0, 3), the classes of the logs here. */
const STRICT_TASK = `export function run(batch) {
  const target = batch.tensors({ target: 'target' }).tensors.target.data;
  for (let row = 0; row < target.length; row++) {
    if (target[row] < 0n || target[row] >= 3n)
      throw Object.assign(new Error('target ' + target[row] + ' is out of bounds'), { code: 'TARGET_OUT_OF_RANGE', row });
  }
  return batch.rows;
}
`;

/** The logs' options: 3 classes, batches of 32 rows. */
const LOG: TrainingLogOptions = { rows: 200, classes: 3, epochs: 2, batchRows: 32, seed: 1 };

let dir: string;
let cleanup: () => Promise<void>;
let task: URL;
let strictTask: URL;
const logs = new Map<FileFormat, Uint8Array[]>();
/** Each format's log of {@link LOG} as it is, and with its targets out of range (same layout and size). */
const shifted = new Map<FileFormat, { valid: Uint8Array; outOfRange: Uint8Array }>();
let run = 0;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const path = join(dir, 'task.mjs');
  writeFileSync(path, TASK);
  task = pathToFileURL(path);
  const strictPath = join(dir, 'strictTask.mjs');
  writeFileSync(strictPath, STRICT_TASK);
  strictTask = pathToFileURL(strictPath);
  for (const format of FORMATS) {
    const a = await smallLog(dir, format, LOG);
    const b = await smallLog(dir, format, { rows: 200, classes: 3, epochs: 2, batchRows: 20, seed: 2 });
    logs.set(format, [a, b]);
    shifted.set(format, { valid: await shiftedLog(format, 0n), outOfRange: await shiftedLog(format, 3n) });
  }
});
afterAll(() => cleanup());

/**
 * A file holding `bytes`, last modified long ago: a write now changes its modification time even
 * where the kernel's clock advances only every few milliseconds.
 */
function published(bytes: Uint8Array): string {
  const path = join(dir, `log-${run++}`);
  writeFileSync(path, bytes);
  utimesSync(path, 1_000_000, 1_000_000);
  return path;
}

/**
 * The bytes of `format`'s log of {@link LOG} with `shift` added to every target: 3 makes them 3, 4, 5, out of range for 3 classes and as many bytes as 0, 1, 2 (uncompressed
 * Parquet, so the pages keep their size too).
 */
async function shiftedLog(format: FileFormat, shift: bigint): Promise<Uint8Array> {
  const path = join(dir, `shifted-${shift}-${format}`);
  const batches = [...trainingLogBatches(LOG)].map((batch) => {
    const fields = batch.schema.fields;
    const children = batch.data.children.map((child, i) => {
      if (fields[i]!.name !== 'target') return child;
      const data = (child.values as BigInt64Array).map((t) => t + shift);
      return makeData({ type: new Int64(), length: batch.numRows, data });
    });
    return new RecordBatch(
      batch.schema,
      makeData({ type: new Struct(fields), length: batch.numRows, children }),
    );
  });
  if (format === 'parquet') {
    await writeParquet(path, batches, { rowGroupRows: LOG.batchRows!, compression: 'uncompressed' });
  } else {
    const schema = trainingLogSchema(LOG.classes);
    const out = format === 'arrow-file' ? writeIpcFile(path, schema) : writeIpcStream(path, schema);
    for (const batch of batches) await out.write(batch);
    await out.close();
  }
  return new Uint8Array(readFileSync(path));
}

/** Writes `bytes` into the file at `position` without truncating it, as `dd conv=notrunc` does. */
function writeInPlace(path: string, bytes: Uint8Array, position = 0): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, position);
  } finally {
    closeSync(fd);
  }
}

/** The rewrites: another log's bytes over the first's; the same bytes again (only the time changes); an append. */
const REWRITES = {
  'another log': (path: string, [, other]: Uint8Array[]) => writeInPlace(path, other!),
  'the same bytes': (path: string, [same]: Uint8Array[]) => writeInPlace(path, same!),
  'an append': (path: string, [same]: Uint8Array[]) => writeInPlace(path, new Uint8Array(8), same!.length),
} as const;

/** Iterates `reader`, calling `rewrite` once the first item is handed out; the error it ends with. */
async function failureOf(reader: AsyncIterable<unknown>, rewrite: () => void): Promise<unknown> {
  let first = true;
  try {
    for await (const _ of reader) {
      if (first) rewrite();
      first = false;
    }
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectChanged(error: unknown, path: string): void {
  expect(error).toBeInstanceOf(ArrowReadError);
  expect((error as ArrowReadError).code).toBe('CHANGED');
  expect((error as ArrowReadError).file).toBe(path);
  expect((error as ArrowReadError).message).toMatch(/changed while it was read.*mix two versions/);
  expect((error as ArrowReadError).hint).toMatch(/wait until the writer has finished, or copy the file/i);
}

describe('a file written to while it is read fails with CHANGED', () => {
  for (const format of FORMATS) {
    for (const [what, rewrite] of Object.entries(REWRITES)) {
      it(`${format}, ${what}: readBatches`, async () => {
        const path = published(logs.get(format)![0]!);
        const error = await failureOf(readFile(path), () => rewrite(path, logs.get(format)!));
        expectChanged(error, path);
      });

      for (const inThisThread of [false, true]) {
        it(`${format}, ${what}: mapBatchesInWorkers, threads 2${inThisThread ? ', inThisThread' : ''}`, async () => {
          const path = published(logs.get(format)![0]!);
          const plan = () => ({ columns: ['logits', 'target'], task: { module: task } });
          const pool = mapBatchesInWorkers<number>(path, plan, { threads: 2, inThisThread });
          const error = await failureOf(pool, () => rewrite(path, logs.get(format)!));
          expectChanged(error, path);
        });
      }
    }
  }

  const OPENERS = { 'arrow-stream': readIpcStream, 'arrow-file': readIpcFile, parquet: readParquet } as const;
  for (const format of FORMATS) {
    it(`${format}: the format's own reader over openByteReader reports no end after a rewrite`, async () => {
      const path = published(logs.get(format)![0]!);
      const source = await OPENERS[format](await openFileReader(path));
      let error: unknown;
      try {
        expect(await source.next()).toBeDefined();
        REWRITES['the same bytes'](path, logs.get(format)!);
        while ((await source.next()) !== undefined);
      } catch (e) {
        error = e;
      } finally {
        await source.close();
      }
      expectChanged(error, path);
    });
  }

  it('a file renamed over while it is read is no change: the open file reads to its end', async () => {
    // Renaming unlinks the open file's inode, changing its link count and change time only.
    for (const format of FORMATS) {
      for (const reader of ['readBatches', 'pool'] as const) {
        const path = published(logs.get(format)![0]!);
        const next = `${path}.next`;
        writeFileSync(next, logs.get(format)![1]!);
        let rows = 0;
        let first = true;
        const plan = () => ({ columns: ['logits', 'target'], task: { module: task } });
        const items =
          reader === 'readBatches'
            ? readFile(path)
            : mapBatchesInWorkers<number>(path, plan, { threads: 2, inThisThread: true });
        for await (const item of items as AsyncIterable<{ numRows: number } | { value: number }>) {
          if (first) renameSync(next, path);
          first = false;
          rows += 'numRows' in item ? item.numRows : item.value;
        }
        expect([format, reader, rows]).toEqual([format, reader, 400]);
      }
    }
  });

  it('a file left alone reads to its end in every reader', async () => {
    for (const format of FORMATS) {
      const path = published(logs.get(format)![0]!);
      let rows = 0;
      for await (const batch of readFile(path)) rows += batch.numRows;
      const plan = () => ({ columns: ['logits', 'target'], task: { module: task } });
      let pooled = 0;
      for await (const { value } of mapBatchesInWorkers<number>(path, plan, { threads: 2 })) pooled += value;
      expect([rows, pooled]).toEqual([400, 400]);
    }
  });
});

describe('an error a batch of a file written to while it was read caused is CHANGED, and kept as its cause', () => {
  const strictPlan = () => ({ columns: ['logits', 'target'], task: { module: strictTask } });
  const POOLS = [
    { threads: 1, inThisThread: true },
    { threads: 2, inThisThread: false },
    { threads: 2, inThisThread: true },
  ] as const;

  for (const format of FORMATS) {
    for (const options of POOLS) {
      const pool = `mapBatchesInWorkers, threads ${options.threads}${options.inThisThread ? ', inThisThread' : ''}`;

      it(`${format}, ${pool}: a task failing on targets written after the file was opened`, async () => {
        const { valid, outOfRange } = shifted.get(format)!;
        // Only the targets differ: the size stays, so only the file's times tell the change.
        expect(outOfRange.length).toBe(valid.length);
        const path = published(valid);
        const reader = mapBatchesInWorkers<number>(path, strictPlan, options);
        // Opened (its version taken) and planned, but no batch read yet: every batch the task
        // sees is read after the rewrite, and the first fails on it.
        await reader.schema();
        writeInPlace(path, outOfRange);
        const error = await failureOf(reader, () => undefined);
        expectChanged(error, path);
        expect((error as Error).cause).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 0 });
      });

      it(`${format}, ${pool}: a file left alone keeps the task's own error`, async () => {
        const path = published(shifted.get(format)!.outOfRange);
        const error = await failureOf(
          mapBatchesInWorkers<number>(path, strictPlan, options),
          () => undefined,
        );
        expect(error).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 0, row: 0 });
        expect((error as Error).message).toMatch(/^target [345] is out of bounds$/);
      });
    }
  }

  const OPENERS = { 'arrow-stream': readIpcStream, 'arrow-file': readIpcFile, parquet: readParquet } as const;
  const garbage = (length: number) => new Uint8Array(length).fill(0xff);
  for (const format of FORMATS) {
    it(`${format}: the format's reader failing on bytes written after the file was opened`, async () => {
      const [log] = logs.get(format)!;
      const path = published(log!);
      const bytes = await openFileReader(path);
      writeInPlace(path, garbage(log!.length));
      const error = await OPENERS[format](bytes).then(
        (source) => source.close(),
        (e: unknown) => e,
      );
      await bytes.close();
      expectChanged(error, path);
      expect((error as Error).cause).toBeInstanceOf(ArrowReadError);
      expect(((error as Error).cause as ArrowReadError).code).not.toBe('CHANGED');
    });

    it(`${format}: the format's reader keeps its own error for a file left alone`, async () => {
      const path = published(garbage(logs.get(format)![0]!.length));
      const bytes = await openFileReader(path);
      const error = await OPENERS[format](bytes).then(
        (source) => source.close(),
        (e: unknown) => e,
      );
      await bytes.close();
      expect(error).toBeInstanceOf(ArrowReadError);
      expect((error as ArrowReadError).code).not.toBe('CHANGED');
    });
  }
});

describe('settledStat', () => {
  /** A handle whose file was last written at these times (ms), one per stat. */
  const handle = (mtimesMs: number[], file = true) => {
    const calls: number[] = [];
    return {
      calls,
      stat: async () => {
        const ms = mtimesMs[Math.min(calls.length, mtimesMs.length - 1)]!;
        calls.push(ms);
        return { isFile: () => file, mtimeNs: BigInt(ms) * 1_000_000n } as unknown as BigIntStats;
      },
    };
  };

  it('stats a file not written in the last clock tick once', async () => {
    const h = handle([1_000]);
    await settledStat(h, () => 2_000);
    expect(h.calls).toEqual([1_000]);
  });

  it('waits for a file written just now (its next write could share the tick of the version taken)', async () => {
    const start = Date.now();
    // Written 1 ms before it is opened, then left alone.
    const h = handle([start - 1]);
    const stat = await settledStat(h);
    expect(h.calls.length).toBeGreaterThanOrEqual(2);
    expect(Date.now() - Number(stat.mtimeNs / 1_000_000n)).toBeGreaterThanOrEqual(20);
  });

  it('does not wait for a pipe or device, whose times move with every write', async () => {
    const h = handle([Date.now()], false);
    await settledStat(h);
    expect(h.calls).toHaveLength(1);
  });
});

describe('checkFileVersionSync', () => {
  it('passes an unchanged file and names what changed in one written to in place or appended to', () => {
    const path = published(new Uint8Array(64));
    const fd = openSync(path, 'r+');
    try {
      const before = versionOf(fstatSync(fd, { bigint: true }));
      expect(() => checkFileVersionSync(fd, before, path)).not.toThrow();
      writeSync(fd, new Uint8Array([1]), 0, 1, 0);
      expect(() => checkFileVersionSync(fd, before, path)).toThrow(
        expect.objectContaining({
          code: 'CHANGED',
          file: path,
          message: expect.stringContaining('modification time'),
        }),
      );
      writeSync(fd, new Uint8Array(8), 0, 8, 64);
      expect(() => checkFileVersionSync(fd, before, path)).toThrow(
        expect.objectContaining({
          code: 'CHANGED',
          message: expect.stringContaining('its size (64 → 72 bytes)'),
        }),
      );
    } finally {
      closeSync(fd);
    }
  });

  it('is CHANGED when the descriptor cannot be checked at all', () => {
    const path = published(new Uint8Array(8));
    const fd = openSync(path, 'r');
    const before = versionOf(fstatSync(fd, { bigint: true }));
    closeSync(fd);
    expect(() => checkFileVersionSync(fd, before, path)).toThrow(
      expect.objectContaining({ code: 'CHANGED' }),
    );
  });
});
