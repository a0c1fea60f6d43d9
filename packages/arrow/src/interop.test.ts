import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile as readArrow, readFileTensors } from './read/readFile.js';
import { batchTensors } from './tensors/batchTensors.js';
import { tempDir } from './testing/files.js';
import { writeTrainingLog } from './write/writeTrainingLog.js';

// Files written by independent Arrow/Parquet implementations: DuckDB (its own C++ Parquet writer)
// and arrow-rs (the Rust Arrow IPC writer inside parquet-wasm).

let dir: string;
let cleanup: () => Promise<void>;
let duck: DuckDBConnection;
const ROWS = 5000;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(async () => {
  duck.closeSync();
  await cleanup();
});

/** DuckDB's query for the log: row i has logits [10i, …, 10i+4], a 3-value array, target i % 5. */
const LOG_QUERY = `SELECT i::INT AS id,
  list_transform(range(5), k -> (i * 10 + k)::FLOAT) AS logits,
  [i::DOUBLE, i + 0.5, i + 0.25]::DOUBLE[3] AS probs,
  (i % 5)::BIGINT AS target,
  (i % 3)::UTINYINT AS bucket
FROM range(${ROWS}) t(i)`;

async function duckParquet(name: string, query: string, options = ''): Promise<string> {
  const path = join(dir, name);
  await duck.run(`COPY (${query}) TO '${path}' (FORMAT parquet${options})`);
  return path;
}

/** Checks every value of the DuckDB log read through the tensors. */
async function expectLog(source: string | Uint8Array): Promise<number> {
  let row = 0;
  let batches = 0;
  for await (const batch of readArrow(source)) {
    const { tensors, rows } = batchTensors(
      batch,
      { input: 'logits', target: 'target', probs: 'probs', bucket: 'bucket' },
      { batchIndex: batches++ },
    );
    expect(tensors.input!.shape).toEqual([rows, 5]);
    expect(tensors.probs!.shape).toEqual([rows, 3]);
    const x = tensors.input!.data as Float32Array;
    const p = tensors.probs!.data as Float64Array;
    const t = tensors.target!.data as BigInt64Array;
    const b = tensors.bucket!.data as Uint8Array;
    expect(b).toBeInstanceOf(Uint8Array);
    for (let r = 0; r < rows; r++, row++) {
      for (let k = 0; k < 5; k++)
        if (x[r * 5 + k] !== row * 10 + k) throw new Error(`logits[${row}][${k}] = ${x[r * 5 + k]}`);
      if (p[r * 3 + 1] !== row + 0.5 || t[r] !== BigInt(row % 5) || b[r] !== row % 3)
        throw new Error(`row ${row}`);
    }
  }
  return row;
}

describe('interop: Parquet written by DuckDB', () => {
  for (const codec of ['uncompressed', 'snappy', 'zstd', 'gzip', 'brotli', 'lz4_raw']) {
    it(`${codec}: list and array columns in several row groups read exactly`, async () => {
      const path = await duckParquet(
        `log-${codec}.parquet`,
        LOG_QUERY,
        `, COMPRESSION ${codec}, ROW_GROUP_SIZE 1024`,
      );
      expect(await expectLog(path)).toBe(ROWS);
    });
  }

  it('reads from bytes and with a projection', async () => {
    const path = await duckParquet('log.parquet', LOG_QUERY, ', ROW_GROUP_SIZE 1000');
    expect(await expectLog(new Uint8Array(await readFile(path)))).toBe(ROWS);
    let rows = 0;
    for await (const t of readFileTensors(path, { input: 'logits' })) {
      expect(t.recordBatch.schema.fields.map((f) => f.name)).toEqual(['logits', 'target']);
      rows += t.rows;
    }
    expect(rows).toBe(ROWS);
  });

  it('nulls in list rows and in list elements are NULL_VALUE, or skipped and counted', async () => {
    const path = await duckParquet(
      'nulls.parquet',
      `SELECT CASE WHEN i = 7 THEN NULL
                   WHEN i = 12 THEN [1.0, NULL, 3.0]::FLOAT[]
                   ELSE [i, i, i]::FLOAT[] END AS logits,
              CASE WHEN i = 20 THEN NULL ELSE (i % 3)::BIGINT END AS target
       FROM range(100) t(i)`,
    );
    await expect(
      (async () => {
        for await (const _ of readFileTensors(path));
      })(),
    ).rejects.toMatchObject({ code: 'NULL_VALUE', column: 'logits', row: 7, batch: 0 });
    let rows = 0;
    let skipped = 0;
    for await (const t of readFileTensors(path, {}, { nulls: 'skip' })) {
      rows += t.rows;
      skipped += t.skipped;
      expect(t.tensors.input!.shape).toEqual([t.rows, 3]);
    }
    expect({ rows, skipped }).toEqual({ rows: 97, skipped: 3 });
  });

  it('DuckDB reads the Parquet this package writes', async () => {
    const path = join(dir, 'ours.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 1000, classes: 4, epochs: 2, batchRows: 300 });
    const reader = await duck.runAndReadAll(
      `SELECT count(*)::INT AS n, sum(len(logits))::INT AS values, max(step)::INT AS last FROM read_parquet('${path}')`,
    );
    expect(reader.getRowObjects()[0]).toEqual({ n: 2000, values: 8000, last: 1999 });
  });
});

describe('interop: Arrow IPC stream written by arrow-rs', () => {
  it('reads a stream arrow-rs wrote (via parquet-wasm) from a path and from a stream', async () => {
    const parquet = await duckParquet('for-rs.parquet', LOG_QUERY, ', ROW_GROUP_SIZE 700');
    const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
    const table = pw.readParquet(new Uint8Array(await readFile(parquet)), { batchSize: 700 });
    const ipc = table.intoIPCStream();
    // arrow-rs ends the stream with the end-of-stream marker, so it reads without allowMissingEndOfStream.
    expect(Array.from(ipc.subarray(-8))).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    const path = join(dir, 'arrow-rs.arrows');
    await writeFile(path, ipc);
    const reader = readArrow(path);
    expect(await reader.format()).toBe('arrow-stream');
    await reader.close();
    expect(await expectLog(path)).toBe(ROWS);
    const { Readable } = await import('node:stream');
    let rows = 0;
    for await (const b of readArrow(Readable.from([ipc.subarray(0, 1000), ipc.subarray(1000)])))
      rows += b.numRows;
    expect(rows).toBe(ROWS);
  });
});
