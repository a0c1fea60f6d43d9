/**
 * The footer read without parquet-wasm: for the files whose Arrow schema is plain to derive, the
 * same row counts and the same Arrow schema as parquet-wasm gives (DuckDB's lists and integers,
 * lossflow's writer with its stored FixedSizeList schema, arrow-rs's defaults); `undefined`, so
 * that parquet-wasm reads it, for anything else.
 */
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/files.js';
import { writeTrainingLog } from '../../write/writeTrainingLog.js';
import { openParquetFile, type ParquetMeta } from '../parquetFile.js';
import { readAtFd } from '../readAtFd.js';
import { footerMeta } from './footerMeta.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** The footer both ways: hyparquet's (possibly undefined) and parquet-wasm's. */
async function bothMetas(path: string): Promise<{ mine: ParquetMeta | undefined; theirs: ParquetMeta }> {
  const { size } = await stat(path);
  const handle = await open(path, 'r');
  try {
    const mine = footerMeta(readAtFd(handle.fd), size);
    const theirs = (await openParquetFile(readAtFd(handle.fd), size, undefined, { fastPath: false })).meta;
    return { mine, theirs };
  } finally {
    await handle.close();
  }
}

/** A schema as text that tells every name, type, nullability and metadata apart. */
function described(schema: Uint8Array): string {
  const s = tableFromIPC(schema).schema;
  const field = (f: {
    name: string;
    type: { toString(): string; children?: unknown[] };
    nullable: boolean;
    metadata: Map<string, string>;
  }): string =>
    `${f.name}:${String(f.type)}:${f.nullable}:${JSON.stringify([...f.metadata])}[${(
      (f.type.children ?? []) as Parameters<typeof field>[0][]
    )
      .map(field)
      .join(',')}]`;
  return `${s.fields.map(field).join(' | ')} ${JSON.stringify([...s.metadata])}`;
}

async function expectSameMeta(path: string): Promise<void> {
  const { mine, theirs } = await bothMetas(path);
  expect(mine, path).toBeDefined();
  expect(mine!.rowGroups).toEqual(theirs.rowGroups);
  expect(mine!.unsupported).toEqual(theirs.unsupported);
  expect(described(mine!.schema)).toBe(described(theirs.schema));
}

describe('footerMeta', () => {
  it('gives parquet-wasm’s row counts and Arrow schema for DuckDB’s and lossflow’s plain files', async () => {
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      for (const [name, options] of [
        ['duck-snappy.parquet', ''],
        ['duck-zstd.parquet', ", COMPRESSION 'zstd', ROW_GROUP_SIZE 3000"],
      ] as const) {
        const path = join(dir, name);
        await duck.run(`COPY (SELECT list_transform(range(1 + i % 7), k -> (i * 10 + k)::FLOAT) AS logits,
            list_transform(range(3), k -> k::DOUBLE) AS d, (i % 5)::BIGINT AS target, i::INT AS id,
            i::DOUBLE AS x FROM range(10000) t(i)) TO '${path}' (FORMAT parquet${options})`);
        await expectSameMeta(path);
      }
    } finally {
      duck.closeSync();
    }
    // lossflow's writer: a FixedSizeList kept in the stored Arrow schema, non-nullable columns.
    const lossflow = join(dir, 'lossflow.parquet');
    await writeTrainingLog(lossflow, 'parquet', { rows: 3000, classes: 10, epochs: 1, batchRows: 1000 });
    await expectSameMeta(lossflow);
    // arrow-rs's defaults (with its stored schema) from parquet-wasm.
    const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
    const defaults = join(dir, 'arrow-rs.parquet');
    await writeFile(
      defaults,
      pw.writeParquet(
        pw.readParquet(new Uint8Array(await readFile(lossflow))),
        new pw.WriterPropertiesBuilder().build(),
      ),
    );
    await expectSameMeta(defaults);
  });

  it('leaves strings, timestamps, decimals, small integers, maps and nested lists to parquet-wasm', async () => {
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      for (const [name, column] of [
        ['string', "'a' || i AS s"],
        ['timestamp', "TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS t"],
        ['decimal', 'i::DECIMAL(10, 2) AS dec'],
        ['smallint', 'i::SMALLINT AS small'],
        ['unsigned', 'i::UINTEGER AS u'],
        ['nested', '[[i::FLOAT]] AS nested'],
        ['struct', "{'a': i::FLOAT} AS st"],
      ] as const) {
        const path = join(dir, `${name}.parquet`);
        await duck.run(
          `COPY (SELECT i::FLOAT AS x, ${column} FROM range(100) t(i)) TO '${path}' (FORMAT parquet)`,
        );
        const { mine } = await bothMetas(path);
        expect(mine, name).toBeUndefined();
      }
      // Key-value metadata other than a stored Arrow schema: parquet-wasm keeps it, so it reads it.
      const path = join(dir, 'kv.parquet');
      await duck.run(
        `COPY (SELECT i::FLOAT AS x FROM range(100) t(i)) TO '${path}' (FORMAT parquet, KV_METADATA {run: 'a'})`,
      );
      expect((await bothMetas(path)).mine).toBeUndefined();
    } finally {
      duck.closeSync();
    }
  });

  it('gives undefined for a file that is not Parquet or whose footer is cut', async () => {
    const path = join(dir, 'cut.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 100, classes: 3, epochs: 1 });
    const bytes = await readFile(path);
    const handle = await open(path, 'r');
    try {
      expect(footerMeta(readAtFd(handle.fd), bytes.length - 20)).toBeUndefined();
      expect(footerMeta(readAtFd(handle.fd), 8)).toBeUndefined();
    } finally {
      await handle.close();
    }
    // The same file whole reads.
    const { mine } = await bothMetas(path);
    expect(mine).toBeDefined();
  });
});
