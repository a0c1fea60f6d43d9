/**
 * The fast path's page-by-page row reader against parquet-wasm: rows `[first, end)` of a row
 * group, asked in any order (forwards, backwards, within a page and across pages), give the same
 * values and list offsets, on lossflow's writer (PLAIN float pages, fixed-size lists), arrow-rs's
 * defaults (a float dictionary page, then plain pages), parquet-wasm's v1 and v2 pages cut small, and DuckDB's lists (SNAPPY and uncompressed);
 * and any part of the located values copied alone is that part of them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Data, type Table, Type, tableFromIPC } from 'apache-arrow';
import { parquetHeader } from 'hyparquet/src/column.js';
import { parquetMetadata } from 'hyparquet/src/metadata.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../testing/files.js';
import { withBothPaths } from '../../testing/parquetPaths.js';
import { trainingLogBatches } from '../../write/trainingLogBatches.js';
import { writeParquet } from '../../write/writeParquet.js';
import { writeTrainingLog } from '../../write/writeTrainingLog.js';
import { openParquetFile, type ParquetFileOptions } from '../parquetFile.js';
import { FastParquet } from './FastParquet.js';
import { FastPathFallback } from './FastPathFallback.js';
import { SnappySplit } from './SnappySplit.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** The bytes of rows `[first, end)` of a column as parquet-wasm decoded it: values, and a list's offsets from 0. */
function expectedRows(data: Data, first: number, end: number): { values: Uint8Array; offsets?: number[] } {
  const bytes = (d: Data, from: number, to: number): Uint8Array => {
    const v = d.values as ArrayBufferView & { BYTES_PER_ELEMENT: number };
    return new Uint8Array(
      v.buffer,
      v.byteOffset + from * v.BYTES_PER_ELEMENT,
      (to - from) * v.BYTES_PER_ELEMENT,
    );
  };
  if (data.typeId === Type.List) {
    const o = data.valueOffsets as Int32Array;
    const base = o[first]!;
    return {
      values: bytes(data.children[0]!, base, o[end]!),
      offsets: Array.from(o.subarray(first, end + 1), (x) => x - base),
    };
  }
  if (data.typeId === Type.FixedSizeList) {
    const n = (data.type as unknown as { listSize: number }).listSize;
    return { values: bytes(data.children[0]!, first * n, end * n) };
  }
  return { values: bytes(data, first, end) };
}

/** A seeded stream of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/**
 * Reads `ranges` random row ranges of every row group with the fast path's row reader (the
 * columns must all take it) and checks each against parquet-wasm's decoding. Returns the rows
 * compared.
 */
async function expectSameRows(
  path: string,
  columns: readonly string[],
  ranges = 12,
  options: ParquetFileOptions = {},
): Promise<number> {
  const random = seeded(7);
  return withBothPaths(
    path,
    async (fast, general) => {
      let compared = 0;
      for (let g = 0; g < fast.meta.rowGroups.length; g++) {
        const rows = fast.meta.rowGroups[g]!;
        const table: Table = tableFromIPC(await general.read(g, columns, rows, undefined));
        expect(table.batches.length).toBe(1);
        const batch = table.batches[0]!;
        // The whole group, its last row, then ranges in random order (so backwards too).
        const asked: [number, number][] = [
          [0, rows],
          [rows - 1, rows],
        ];
        for (let i = 0; i < ranges; i++) {
          const a = Math.floor(random() * rows);
          const b = Math.min(rows, a + 1 + Math.floor(random() * random() * rows));
          asked.push([a, b]);
        }
        for (const [first, end] of asked) {
          const located = fast.locateRows(g, columns, first, end);
          expect(located, `row group ${g} takes the fast path`).toBeDefined();
          located!.forEach((reader, c) => {
            const want = expectedRows(batch.getChildAt(c)!.data[0]!, first, end);
            const got = new Uint8Array(reader.valueBytes);
            reader.copyValues(got);
            expect(got.length, `${columns[c]} rows ${first}-${end}`).toBe(want.values.length);
            expect(
              Buffer.compare(Buffer.from(got), Buffer.from(want.values)),
              `${columns[c]} rows ${first}-${end}`,
            ).toBe(0);
            if (want.offsets !== undefined) expect(Array.from(reader.offsets!)).toEqual(want.offsets);
            else expect(reader.offsets).toBeUndefined();
            // A part of the located values, as a thread copies one row range of them at a time.
            const n = reader.hi - reader.lo;
            const size = reader.column.valueBytes;
            const from = Math.floor(random() * (n + 1));
            const to = from + Math.floor(random() * (n - from + 1));
            const part = new Uint8Array((to - from) * size);
            reader.copyValues(part, from, to);
            expect(
              Buffer.compare(Buffer.from(part), Buffer.from(want.values.subarray(from * size, to * size))),
              `${columns[c]} rows ${first}-${end}, values ${from}-${to}`,
            ).toBe(0);
          });
          compared += end - first;
        }
      }
      return compared;
    },
    options,
  );
}

describe('rows read page by page are the rows parquet-wasm decodes', () => {
  it('on lossflow’s writer (PLAIN float pages) and arrow-rs defaults (a float dictionary page, then plain pages), INT32/INT64 dictionaries', async () => {
    const path = join(dir, 'lossflow.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 12_000, classes: 100, epochs: 2, batchRows: 9000 });
    // arrow-rs's defaults (as pyarrow's): 100 classes fill several 1 MB pages a row group,
    // dictionary-encoded until the dictionary is full, then PLAIN.
    const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
    const defaults = join(dir, 'arrow-rs-defaults.parquet');
    const table = pw.readParquet(new Uint8Array(await readFile(path)));
    await writeFile(
      defaults,
      pw.writeParquet(table, new pw.WriterPropertiesBuilder().setMaxRowGroupSize(9000).build()),
    );
    for (const file of [path, defaults]) {
      expect(await expectSameRows(file, ['epoch', 'step', 'logits', 'target'])).toBeGreaterThan(24_000);
      // Its 1 MB pages of PLAIN values decompressed range by range: blocks stepped over, then decoded.
      expect(
        await expectSameRows(file, ['epoch', 'step', 'logits', 'target'], 12, { rangePageBytes: 1 }),
      ).toBeGreaterThan(24_000);
    }
  });

  it('whole SNAPPY pages of float values (lossflow’s writer) are decompressed straight where their values go: the same rows', async () => {
    const path = join(dir, 'lossflow-split.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 6000, classes: 100, epochs: 1, batchRows: 6000 });
    const decode = vi.spyOn(SnappySplit.prototype, 'decode');
    try {
      expect(await expectSameRows(path, ['logits', 'target'], 6)).toBeGreaterThan(0);
      // Each page of the whole row group's values, at least, with its levels apart.
      expect(
        decode.mock.results.filter((r) => r.type === 'return' && r.value !== undefined).length,
      ).toBeGreaterThan(1);
    } finally {
      decode.mockRestore();
    }
  });

  it('on parquet-wasm’s small v1 and v2 pages, PLAIN and dictionary', async () => {
    const source = join(dir, 'source.parquet');
    await writeTrainingLog(source, 'parquet', { rows: 6000, classes: 9, epochs: 1, batchRows: 6000 });
    const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
    for (const [name, version, dictionary] of [
      ['v1-plain.parquet', pw.WriterVersion.V1, false],
      ['v2-dict.parquet', pw.WriterVersion.V2, true],
      ['v2-plain.parquet', pw.WriterVersion.V2, false],
    ] as const) {
      const table = pw.readParquet(new Uint8Array(await readFile(source)));
      const properties = new pw.WriterPropertiesBuilder()
        .setWriterVersion(version)
        .setDictionaryEnabled(dictionary)
        .setDataPageSizeLimit(8 * 1024)
        .setWriteBatchSize(100)
        .setMaxRowGroupSize(4000)
        .build();
      const path = join(dir, name);
      await writeFile(path, pw.writeParquet(table, properties));
      // arrow-rs writes v2 integers DELTA_BINARY_PACKED: only the lists are compared there.
      const columns = version === pw.WriterVersion.V1 ? ['logits', 'target'] : ['logits'];
      expect(await expectSameRows(path, columns, 30)).toBeGreaterThan(6000);
    }
  });

  it('on DuckDB’s lists (SNAPPY and uncompressed) and dictionary-encoded targets', async () => {
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      for (const options of ['', ", COMPRESSION 'uncompressed'", ', ROW_GROUP_SIZE 3000']) {
        const path = join(dir, `duck${options.length}.parquet`);
        await duck.run(`COPY (SELECT list_transform(range(1 + i % 7), k -> (i * 10 + k)::FLOAT) AS logits,
            (i % 5)::BIGINT AS target, i::INT AS id FROM range(10000) t(i)) TO '${path}' (FORMAT parquet${options})`);
        expect(await expectSameRows(path, ['logits', 'target', 'id'])).toBeGreaterThan(10_000);
        // Every SNAPPY page of PLAIN values decompressed range by range, straight into the rows' memory.
        expect(
          await expectSameRows(path, ['logits', 'target', 'id'], 12, { rangePageBytes: 1 }),
        ).toBeGreaterThan(10_000);
      }
    } finally {
      duck.closeSync();
    }
  });
});

describe('fixed-size lists', () => {
  it('a page whose levels differ by one bit from levels proven on another page is walked and refused', async () => {
    const path = join(dir, 'fixed-one-bit.parquet');
    await writeParquet(path, trainingLogBatches({ rows: 2000, classes: 10, epochs: 1, batchRows: 1000 }), {
      rowGroupRows: 1000,
      compression: 'uncompressed',
    });
    const bytes = new Uint8Array(await readFile(path));
    const readAt = (target: Uint8Array, position: number): number => {
      const src = bytes.subarray(position, position + target.length);
      target.set(src);
      return src.length;
    };
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
    const meta = parquetMetadata(bytes.subarray(bytes.length - 8 - length));
    const column = meta.row_groups[0]!.columns.findIndex((c) => c.meta_data!.path_in_schema[0] === 'logits');
    // Row group 1's levels are row group 0's, byte for byte: one bit of them turned, in the first
    // bit-packed run (10 levels a row: 0, then nine 1s), starts a row inside the first one.
    const chunk = meta.row_groups[1]!.columns[column]!.meta_data!;
    const reader = {
      view: new DataView(bytes.buffer, bytes.byteOffset),
      offset: Number(chunk.data_page_offset),
    };
    const header = parquetHeader(reader);
    expect(header.data_page_header!.num_values).toBe(10_000);
    const levels = reader.offset + 4;
    expect(bytes[levels]! % 2, 'a bit-packed run first').toBe(1);
    expect(bytes[levels + 1]! & 0b11, 'a row start, then a continuation').toBe(0b10);
    const fields = tableFromIPC(
      (await openParquetFile(readAt, bytes.length, undefined, { fastPath: false })).meta.schema,
    ).schema.fields;
    const read = (group: number): (() => void) => {
      const fast = FastParquet.open(readAt, bytes.length, fields)!;
      const located = fast.locateRows(0, ['logits'], 0, 1000)!;
      expect(located[0]!.column.layout).toBe('fixed');
      located[0]!.copyValues(new Uint8Array(located[0]!.valueBytes));
      const rows = fast.locateRows(group, ['logits'], 0, 1000)![0]!;
      return () => rows.copyValues(new Uint8Array(rows.valueBytes));
    };
    expect(read(1)).not.toThrow();
    bytes[levels + 1] = bytes[levels + 1]! & ~0b10;
    expect(read(1)).toThrow(FastPathFallback);
  });
});
