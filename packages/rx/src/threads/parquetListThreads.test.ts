/**
 * Parquet with a variable-length list column (DuckDB writes `FLOAT[]` logits as `List<float>`)
 * through `fromFile(path, { threads })`: a batch over 4 MiB is cut into the row ranges its list
 * lengths give, by this thread and by the workers alike, so every thread setting gives the same
 * bits, on the fast path (SNAPPY) and through parquet-wasm (GZIP).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { lastValueFrom, map, type Observable, share, toArray, zip } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossChunk } from '../chunks/LossChunk.js';
import { crossEntropy } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { reduceGroups } from '../reduce/reduceGroups.js';
import { type FromFileOptions, fromFile } from '../sources/fromFile.js';

// Worker threads start slowly on a busy machine (turbo runs the packages' tests side by side).
const TIMEOUT = 240_000;

// 88 bytes a row (20 float32 logits, an int64 target): DuckDB's row groups of 122,880 rows are read
// as batches of 65,536 and 57,344 rows, both cut into 47,616-row ranges; the last group is not cut.
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossflow-rx-parquet-lists-'));
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const log = `SELECT (i // 16384)::INT AS epoch,
      list_transform(range(${C}), k -> ((hash(i * ${C} + k) % 9000)::DOUBLE / 1000 - 4.5)::FLOAT) AS logits,
      (hash(i) % ${C})::BIGINT AS target
    FROM range(${ROWS}) t(i)`;
    for (const compression of ['snappy', 'gzip']) {
      paths[compression] = join(dir, `${compression}.parquet`);
      await duck.run(`COPY (${log}) TO '${paths[compression]}' (FORMAT parquet, COMPRESSION ${compression})`);
    }
  } finally {
    duck.closeSync();
  }
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

describe('Parquet list columns in threads', () => {
  it(
    'DuckDB’s List<float> logits in batches over 4 MiB: the same bits for every thread setting, fast path or parquet-wasm',
    async () => {
      const reference = await run(paths.snappy!, { threads: 0 });
      const chunks = (reference[0] as unknown[][])[0] as { rows: number }[];
      expect(chunks.map((c) => c.rows)).toEqual([65_536, 57_344, ROWS - 122_880]);
      for (const threads of THREADS.slice(1)) {
        const got = await run(paths.snappy!, threads);
        expect(sameBits(got, reference), `snappy ${JSON.stringify(threads)}`).toBe(true);
      }
      for (const threads of [{ threads: 0 }, { threads: 2 }]) {
        const got = await run(paths.gzip!, threads);
        expect(sameBits(got, reference), `gzip ${JSON.stringify(threads)}`).toBe(true);
      }
    },
    TIMEOUT,
  );
});
