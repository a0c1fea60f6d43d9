import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/files.js';
import { expectSameBothWays, withBothPaths } from '../../testing/parquetPaths.js';
import { writeTrainingLog } from '../../write/writeTrainingLog.js';
import { readAtFd } from '../readAtFd.js';
import { FastParquet } from './FastParquet.js';

let dir: string;
let cleanup: () => Promise<void>;
let duck: DuckDBConnection;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(async () => {
  duck.closeSync();
  await cleanup();
});

/** Row i: id i, logits [10i, …, 10i+4] (FLOAT[]), probs (DOUBLE[3]), target i % 5, bucket (UTINYINT). */
const LOG = (rows: number) => `SELECT i::INT AS id,
  list_transform(range(5), k -> (i * 10 + k)::FLOAT) AS logits,
  [i::DOUBLE, i + 0.5, i / 7]::DOUBLE[3] AS probs,
  (i % 5)::BIGINT AS target,
  (i % 3)::UTINYINT AS bucket
FROM range(${rows}) t(i)`;

async function duckParquet(name: string, query: string, options = ''): Promise<string> {
  const path = join(dir, name);
  await duck.run(`COPY (${query}) TO '${path}' (FORMAT parquet${options})`);
  return path;
}

/** The file's row groups read by the fast path alone: the general decoder must not be asked for `fast` columns. */
async function fastOnly(path: string, columns: readonly string[], batchSize = 1000): Promise<number> {
  const { size } = await stat(path);
  const handle = await open(path, 'r');
  try {
    const schema = await withBothPaths(path, async (f) => tableFromIPC(f.meta.schema).schema);
    const fast = FastParquet.open(readAtFd(handle.fd), size, schema.fields)!;
    let rows = 0;
    for (let g = 0; ; g++) {
      if (fast.path(g, columns[0]!).fast !== true) break;
      const ipc = await fast.read(g, columns, batchSize, undefined, async () => {
        throw new Error('the general decoder was asked');
      });
      rows += tableFromIPC(ipc).numRows;
    }
    return rows;
  } finally {
    await handle.close();
  }
}

describe('the Parquet fast path gives what parquet-wasm gives', () => {
  it('on lossflow’s writer (arrow-rs: PLAIN floats, dictionary pages of keys, FixedSizeList, INT32/INT64)', async () => {
    const path = join(dir, 'lossflow.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 3000, classes: 7, epochs: 2, batchRows: 1000 });
    expect(await expectSameBothWays(path, 700)).toBe(6000);
    expect(await expectSameBothWays(path, 65_536, 1234, ['target', 'logits'])).toBeGreaterThan(0);
    expect(await fastOnly(path, ['epoch', 'step', 'logits', 'target'])).toBe(6000);
  });

  it('on DuckDB’s defaults (SNAPPY, lists, dictionary targets), ZSTD, its v2 pages and uncompressed pages', async () => {
    const all = ['id', 'logits', 'probs', 'target'];
    for (const [options, fast] of [
      ['', all],
      // DuckDB's v2 pages: DELTA_BINARY_PACKED ints and BYTE_STREAM_SPLIT floats stay on parquet-wasm.
      [", PARQUET_VERSION 'V2'", ['target']],
      [", COMPRESSION 'uncompressed'", all],
      [', ROW_GROUP_SIZE 2048', all],
      [", COMPRESSION 'zstd'", all],
      [", COMPRESSION 'zstd', ROW_GROUP_SIZE 2048", all],
      [", COMPRESSION 'zstd', PARQUET_VERSION 'V2'", ['target']],
    ] as const) {
      const path = await duckParquet(`duck${options.length}.parquet`, LOG(10_000), options);
      expect(await expectSameBothWays(path, 4096)).toBe(10_000);
      expect(await fastOnly(path, fast)).toBe(10_000);
    }
  });

  it('on DATA_PAGE v1 and v2 pages of parquet-wasm (arrow-rs), PLAIN and dictionary, SNAPPY and ZSTD', async () => {
    const source = join(dir, 'source.parquet');
    await writeTrainingLog(source, 'parquet', { rows: 5000, classes: 9, epochs: 1, batchRows: 2500 });
    const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
    for (const [name, version, dictionary, compression] of [
      ['v2-dict.parquet', pw.WriterVersion.V2, true, pw.Compression.SNAPPY],
      ['v2-plain.parquet', pw.WriterVersion.V2, false, pw.Compression.SNAPPY],
      ['v1-zstd-dict.parquet', pw.WriterVersion.V1, true, pw.Compression.ZSTD],
      ['v2-zstd-dict.parquet', pw.WriterVersion.V2, true, pw.Compression.ZSTD],
      ['v2-zstd-plain.parquet', pw.WriterVersion.V2, false, pw.Compression.ZSTD],
    ] as const) {
      const table = pw.readParquet(new Uint8Array(await readFile(source)));
      const properties = new pw.WriterPropertiesBuilder()
        .setWriterVersion(version)
        .setDictionaryEnabled(dictionary)
        .setCompression(compression)
        .setMaxRowGroupSize(2000)
        .build();
      const path = join(dir, name);
      await writeFile(path, pw.writeParquet(table, properties));
      expect(await expectSameBothWays(path, 999)).toBe(5000);
      // arrow-rs writes v2 integers DELTA_BINARY_PACKED: they stay on parquet-wasm.
      const fast = version === pw.WriterVersion.V1 ? ['epoch', 'step', 'logits', 'target'] : ['logits'];
      expect(await fastOnly(path, fast)).toBe(5000);
    }
  });

  // DuckDB writes these 20 rows as one 2.4 MB page; rows continuing from page to page are
  // covered where the levels are walked (levels.test.ts).
  it('long lists in one big page (DuckDB’s writer), SNAPPY and ZSTD', async () => {
    for (const codec of ['snappy', 'zstd']) {
      const path = await duckParquet(
        `long-${codec}.parquet`,
        'SELECT list_transform(range(30000), k -> (i * 30000 + k)::FLOAT) AS logits, i AS target FROM range(20) t(i)',
        `, COMPRESSION '${codec}'`,
      );
      expect(await expectSameBothWays(path, 7)).toBe(20);
      expect(await fastOnly(path, ['logits', 'target'])).toBe(20);
    }
  });

  it('leaves chunks with nulls, other codecs and other types to parquet-wasm, column by column', async () => {
    const nulls = await duckParquet(
      'nulls.parquet',
      `SELECT CASE WHEN i % 97 = 3 THEN NULL ELSE [i::FLOAT, 1.5] END AS logits,
              [i::FLOAT, NULL] AS partly, i::BIGINT AS target, i::VARCHAR AS name FROM range(3000) t(i)`,
    );
    expect(await expectSameBothWays(nulls, 1000)).toBe(3000);
    await withBothPaths(nulls, async (fast) => {
      expect(fast.path(0, 'target')).toEqual({ fast: true });
      expect(fast.path(0, 'name').fast).toBe(false);
    });
    const gzip = await duckParquet('gzip.parquet', LOG(3000), ", COMPRESSION 'gzip'");
    expect(await expectSameBothWays(gzip, 1000)).toBe(3000);
    await withBothPaths(gzip, async (fast) => {
      expect(fast.path(0, 'logits')).toEqual({ fast: false, reason: 'codec GZIP' });
      expect(fast.path(0, 'bucket').fast).toBe(false);
    });
    const zstd = await duckParquet('zstd.parquet', LOG(3000), ", COMPRESSION 'zstd'");
    await withBothPaths(zstd, async (fast) => {
      expect(fast.path(0, 'logits')).toEqual({ fast: true });
      expect(fast.path(0, 'bucket').fast).toBe(false);
    });
  });
});
