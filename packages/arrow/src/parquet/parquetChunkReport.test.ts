import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { tempDir } from '../testing/files.js';
import { parquetChunkReport } from './parquetChunkReport.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

async function duckParquet(name: string, query: string, options: string): Promise<string> {
  const path = join(dir, name);
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`COPY (${query}) TO '${path}' (FORMAT parquet${options})`);
  duck.closeSync();
  return path;
}

describe('parquetChunkReport', () => {
  it('names each column chunk’s codec and decoder, and why it falls back', async () => {
    const path = await duckParquet(
      'mixed.parquet',
      `SELECT list_transform(range(4), k -> (i + k)::FLOAT) AS logits,
        CASE WHEN i % 7 = 0 THEN NULL ELSE [i::FLOAT, 1] END AS partly,
        i::BIGINT AS target, i::VARCHAR AS name FROM range(5000) t(i)`,
      ", COMPRESSION 'zstd', ROW_GROUP_SIZE 2048",
    );
    const report = await parquetChunkReport(path);
    expect(report.warnings).toEqual([]);
    expect(report.chunks.map((c) => c.rowGroup)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    const first = report.chunks.filter((c) => c.rowGroup === 0);
    expect(first.map(({ column, codec, decoder, reason }) => ({ column, codec, decoder, reason }))).toEqual([
      { column: 'logits', codec: 'ZSTD', decoder: 'fast', reason: null },
      { column: 'partly', codec: 'ZSTD', decoder: 'fallback', reason: 'nulls in list' },
      { column: 'target', codec: 'ZSTD', decoder: 'fast', reason: null },
      {
        column: 'name',
        codec: 'ZSTD',
        decoder: 'fallback',
        reason: 'Utf8 (BYTE_ARRAY) is not a fast-path type',
      },
    ]);
    for (const c of report.chunks) {
      expect(c.pages).toBeGreaterThan(0);
      expect(c.largestPage).toBeGreaterThan(0);
    }
    const gzip = await duckParquet(
      'gzip.parquet',
      'SELECT i::DOUBLE AS y FROM range(100) t(i)',
      ", COMPRESSION 'gzip'",
    );
    expect((await parquetChunkReport(gzip)).chunks[0]).toMatchObject({
      codec: 'GZIP',
      decoder: 'fallback',
      reason: 'codec GZIP',
    });
  });

  it('warns about each chunk with a page larger than the memory budget', async () => {
    // 20 rows of 30,000 floats: DuckDB writes one page of about 2.4 MB.
    const path = await duckParquet(
      'long.parquet',
      'SELECT list_transform(range(30000), k -> (i * 30000 + k)::FLOAT) AS logits, i AS target FROM range(20) t(i)',
      '',
    );
    const logits = (await parquetChunkReport(path)).chunks.find((c) => c.column === 'logits')!;
    expect(logits.largestPage).toBeGreaterThan(2_000_000);
    const report = await parquetChunkReport(path, { memoryBudget: 1_000_000 });
    expect(report.memoryBudget).toBe(1_000_000);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(
      /^column 'logits', row group 0: a page of \d+ bytes is larger than the memory budget of 1000000 bytes/,
    );
  });

  it('fails with a typed error on a page header that does not parse', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const path = await duckParquet('bad.parquet', 'SELECT i::DOUBLE AS y FROM range(1000) t(i)', '');
    const bytes = new Uint8Array(await readFile(path));
    bytes.fill(0xff, 4, 40); // the first page header
    const bad = join(dir, 'bad-header.parquet');
    await writeFile(bad, bytes);
    const error = await parquetChunkReport(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({ code: 'CORRUPT', column: 'y', rowGroup: 0 });
  });
});
