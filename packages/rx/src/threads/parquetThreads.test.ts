/**
 * Parquet through `fromFile(path, { threads })`: a row group's batches (and, for fixed-size
 * columns, their row ranges) give the same bits in this thread, in 1, 2 and 3 workers and with
 * this thread as one of 2; on the fast path (SNAPPY) and through parquet-wasm (GZIP); and as an
 * Arrow IPC stream of the same batches. Row groups of another size give values within 1e-12.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIpcStream, writeParquet } from '@lossflow/arrow/node';
import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
} from 'apache-arrow';
import { lastValueFrom, map, type Observable, share, toArray, zip } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossChunk } from '../chunks/LossChunk.js';
import { crossEntropy } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { reduceGroups } from '../reduce/reduceGroups.js';
import { type FromFileOptions, fromFile } from '../sources/fromFile.js';

// Worker threads start slowly on a busy machine (turbo runs the packages' tests side by side).
const TIMEOUT = 240_000;

// 88 bytes a row (20 float32 logits, an int64 target): 47,616-row ranges of each 65,536-row batch.
const ROWS = 150_000;
const C = 20;

const THREADS: FromFileOptions[] = [
  { threads: 0 },
  { threads: 1 },
  { threads: 2 },
  { threads: 3 },
  { threads: 2, inThisThread: true },
];

let dir: string;
const paths: Record<string, string> = {};

/** `rows` rows from `start` of the seeded log: epoch, logits, target. */
function rowsOf(start: number, rows: number): RecordBatch {
  const rowType = new FixedSizeList(C, new Field('item', new Float32(), false));
  const fields = [
    new Field('epoch', new Int32(), false),
    new Field('logits', rowType, false),
    new Field('target', new Int64(), false),
  ];
  const logits = new Float32Array(rows * C);
  const target = new BigInt64Array(rows);
  const epoch = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = start + r;
    let seed = (i * 2654435761) % 2147483648;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    target[r] = BigInt(Math.floor(random() * C));
    epoch[r] = i >> 14;
    for (let c = 0; c < C; c++) logits[r * C + c] = (random() - 0.5) * 9;
  }
  const children = [
    makeData({ type: new Int32(), length: rows, data: epoch }),
    makeData({
      type: rowType,
      length: rows,
      child: makeData({ type: new Float32(), length: rows * C, data: logits }),
    }),
    makeData({ type: new Int64(), length: rows, data: target }),
  ];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: rows, children }));
}

/** The log in batches of `size` rows. */
function* batches(size: number): Generator<RecordBatch> {
  for (let start = 0; start < ROWS; start += size) yield rowsOf(start, Math.min(size, ROWS - start));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossflow-rx-parquet-threads-'));
  paths.snappy = join(dir, 'one-group.parquet');
  await writeParquet(paths.snappy, batches(ROWS), { rowGroupRows: ROWS });
  paths.gzip = join(dir, 'one-group-gzip.parquet');
  await writeParquet(paths.gzip, batches(ROWS), { rowGroupRows: ROWS, compression: 'gzip' });
  // The batches the readers cut one row group of 150,000 rows into, as row groups and IPC batches.
  paths.groups = join(dir, 'groups-65536.parquet');
  await writeParquet(paths.groups, batches(65_536), { rowGroupRows: 65_536 });
  paths.stream = join(dir, 'batches-65536.arrows');
  const stream = writeIpcStream(paths.stream);
  for (const batch of batches(65_536)) await stream.write(batch);
  await stream.close();
  paths.small = join(dir, 'groups-20000.parquet');
  await writeParquet(paths.small, batches(20_000), { rowGroupRows: 20_000 });
}, TIMEOUT);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Each chunk's batch, rows and loss states (the batch's and each epoch's), and the reduced values. */
function run(path: string, threads: FromFileOptions): Promise<unknown[]> {
  return lastValueFrom(
    fromFile(path, threads).pipe(
      crossEntropy({ by: 'epoch', labelSmoothing: 0.05 }),
      share(),
      (chunks: Observable<LossChunk>) =>
        zip(
          chunks.pipe(
            map((c) => ({ batch: c.batch, rows: c.rows, state: c.state, groups: c.groups })),
            toArray(),
          ),
          chunks.pipe(reduce('mean')),
          chunks.pipe(reduceGroups('mean'), toArray()),
        ),
      toArray(),
    ),
  );
}

/** Deep equality where numbers must be the same bits (Object.is: NaN equals NaN, 0 is not −0). */
function sameBits(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameBits(x, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => sameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

describe('Parquet in threads', () => {
  it(
    'a big row group: the same bits for every thread setting, fast path or parquet-wasm, and as IPC batches of the same rows',
    async () => {
      const reference = await run(paths.snappy!, { threads: 0 });
      // Three batches, as the in-thread reader cuts the row group.
      const chunks = (reference[0] as unknown[][])[0] as { rows: number }[];
      expect(chunks.map((c) => c.rows)).toEqual([65_536, 65_536, ROWS - 2 * 65_536]);
      for (const path of [paths.snappy!, paths.gzip!, paths.groups!, paths.stream!]) {
        for (const threads of path === paths.snappy ? THREADS.slice(1) : [{ threads: 2 }]) {
          const got = await run(path, threads);
          expect(sameBits(got, reference), `${path} ${JSON.stringify(threads)}`).toBe(true);
        }
      }
    },
    TIMEOUT,
  );

  it(
    'row groups of another size: the same bits for every thread setting, values within 1e-12',
    async () => {
      const reference = await run(paths.small!, { threads: 0 });
      for (const threads of THREADS.slice(1))
        expect(sameBits(await run(paths.small!, threads), reference)).toBe(true);
      type Reduced = [unknown, number, { key: unknown; value: number }[]];
      const big = (await run(paths.snappy!, { threads: 2 }))[0] as Reduced;
      const [, mean, groups] = reference[0] as Reduced;
      expect(Math.abs(big[1] - mean)).toBeLessThanOrEqual(1e-12 * Math.abs(mean));
      expect(big[2].map((g) => g.key)).toEqual(groups.map((g) => g.key));
      groups.forEach(({ value }, i) => {
        expect(Math.abs(big[2][i]!.value - value)).toBeLessThanOrEqual(1e-12 * Math.abs(value));
      });
    },
    TIMEOUT,
  );
});
