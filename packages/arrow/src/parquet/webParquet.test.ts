/**
 * Parquet as a browser reads it (`platform.web.ts`'s `readParquet`: the fast path alone, through a
 * `BlobByteReader`) gives the rows Node's reader gives, on lossflow's and DuckDB's files, and
 * refuses with `UNSUPPORTED`, naming column, row group and reason, what needs Node's decoder.
 */
import { readFile as readBytes } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { BlobByteReader } from '../io/BlobByteReader.js';
import { readParquet as readParquetInBrowser } from '../platform.web.js';
import { readFile } from '../read/readFile.js';
import { damagedParquet, tempDir } from '../testing/files.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';

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

/** Every batch as plain rows of its columns, with its schema's types. */
function plain(batches: readonly RecordBatch[]): unknown {
  return batches.map((b) => ({
    types: b.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
    rows: b.numRows,
    columns: b.schema.fields.map((f) => {
      const column = b.getChild(f.name)!;
      return Array.from(column, (v) =>
        typeof v === 'object' && v !== null ? Array.from(v as Iterable<unknown>) : v,
      );
    }),
  }));
}

async function inNode(path: string, columns: readonly string[]): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of readFile(path, { columns })) out.push(b);
  return out;
}

async function inBrowser(
  path: string,
  columns: readonly string[],
  batchRows?: number,
): Promise<RecordBatch[]> {
  const bytes = await readBytes(path);
  const source = await readParquetInBrowser(new BlobByteReader(new Blob([bytes]), 'log.parquet'), {
    columns,
    ...(batchRows === undefined ? {} : { batchRows }),
  });
  const out: RecordBatch[] = [];
  for (let b = await source.next(); b !== undefined; b = await source.next()) out.push(b);
  expect(source.bytesRead()).toBeLessThanOrEqual(bytes.length);
  return out;
}

describe('Parquet in the browser', () => {
  it('reads lossflow’s writer (FixedSizeList logits, dictionary pages) as Node does', async () => {
    const path = join(dir, 'lossflow.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 3000, classes: 7, epochs: 2, batchRows: 1000 });
    const columns = ['epoch', 'logits', 'target'];
    const web = await inBrowser(path, columns);
    expect(web.reduce((n, b) => n + b.numRows, 0)).toBe(6000);
    expect(plain(web)).toEqual(plain(await inNode(path, columns)));
  });

  it('reads DuckDB’s SNAPPY and ZSTD files (FLOAT[] lists, DOUBLE[3], BIGINT) as Node does', async () => {
    for (const options of ['', ", COMPRESSION 'zstd', ROW_GROUP_SIZE 2048"]) {
      const path = join(dir, `duck${options.length}.parquet`);
      await duck.run(`COPY (SELECT i::INT AS id,
        list_transform(range(5), k -> (i * 10 + k)::FLOAT) AS logits,
        [i::DOUBLE, i + 0.5, i / 7]::DOUBLE[3] AS probs,
        (i % 5)::BIGINT AS target,
        (i % 3)::UTINYINT AS bucket
        FROM range(5000) t(i)) TO '${path}' (FORMAT parquet${options})`);
      const columns = ['id', 'logits', 'probs', 'target'];
      const web = await inBrowser(path, columns);
      expect(web.reduce((n, b) => n + b.numRows, 0)).toBe(5000);
      expect(plain(web)).toEqual(plain(await inNode(path, columns)));

      // A UTINYINT column needs parquet-wasm: refused, saying which column and why.
      const refused = await inBrowser(path, ['bucket']).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ArrowReadError);
      expect((refused as ArrowReadError).code).toBe('UNSUPPORTED');
      expect((refused as ArrowReadError).column).toBe('bucket');
      expect((refused as ArrowReadError).rowGroup).toBe(0);
      expect((refused as ArrowReadError).detail).toMatch(
        /general Parquet decoder \(.*not a fast-path type\)/,
      );
    }
  });

  it('names string, binary and boolean columns by their types, as Node does (not Null)', async () => {
    const path = join(dir, 'types.parquet');
    await duck.run(`COPY (SELECT i::INT AS id, 'k' || i AS name, (i % 2 = 0) AS even, 'x'::BLOB AS raw
      FROM range(10) t(i)) TO '${path}' (FORMAT parquet)`);
    const bytes = await readBytes(path);
    const web = await readParquetInBrowser(new BlobByteReader(new Blob([bytes]), 'types.parquet'));
    const types = (schema: { fields: { name: string; type: unknown }[] }) =>
      schema.fields.map((f) => `${f.name}: ${String(f.type)}`);
    expect(types(web.schema)).toEqual(['id: Int32', 'name: Utf8', 'even: Bool', 'raw: Binary']);
    expect(types(web.schema)).toEqual(types((await inNode(path, ['id', 'name', 'even', 'raw']))[0]!.schema));
    await web.close();
  });

  it('refuses pages in encodings the fast path lacks, and a file cut short', async () => {
    const path = join(dir, 'v2.parquet');
    await duck.run(
      `COPY (SELECT i::INT AS id FROM range(100) t(i)) TO '${path}' (FORMAT parquet, PARQUET_VERSION 'V2')`,
    );
    const refused = await inBrowser(path, ['id']).catch((e: unknown) => e);
    expect((refused as ArrowReadError).code).toBe('UNSUPPORTED');
    expect((refused as ArrowReadError).detail).toMatch(/\(DELTA_BINARY_PACKED\)/);

    const whole = await readBytes(join(dir, 'lossflow.parquet'));
    const cut = await readParquetInBrowser(
      new BlobByteReader(new Blob([whole.subarray(0, 5000)]), 'cut.parquet'),
    ).catch((e: unknown) => e);
    expect((cut as ArrowReadError).code).toBe('TRUNCATED');
  });

  it('says which column and row group hold a damaged page, and what is wrong with it, once', async () => {
    const failure = await inBrowser(await damagedParquet(dir), ['logits', 'target']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ArrowReadError);
    expect(failure).toMatchObject({ code: 'CORRUPT', rowGroup: 1 });
    const message = (failure as Error).message;
    expect(message).toMatch(
      /malformed Parquet page: column 'target', row group 1: a SNAPPY page does not decompress/,
    );
    expect(message.match(/malformed Parquet page/g)).toHaveLength(1);
  });
});
