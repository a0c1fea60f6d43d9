import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Field, tableFromIPC } from 'apache-arrow';
import fc from 'fast-check';
import { parquetHeader } from 'hyparquet/src/column.js';
import { parquetMetadata } from 'hyparquet/src/metadata.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/files.js';
import { writeTrainingLog } from '../../write/writeTrainingLog.js';
import { openParquetFile } from '../parquetFile.js';
import { FastParquet } from './FastParquet.js';
import { FastPathFallback } from './FastPathFallback.js';
import { PageCorruption } from './PageCorruption.js';

// The fast path's own decoder on damaged column chunks (the footer intact, so it is the pages
// that are judged): each case must end in the right number of rows, in a typed PageCorruption, or
// in handing the chunk to the general decoder; never another exception, a hang or a wrong count.

let dir: string;
let cleanup: () => Promise<void>;
/** Each file's bytes, its Arrow fields, and the byte spans of its page headers, level/value bodies. */
const files: {
  name: string;
  bytes: Uint8Array;
  fields: readonly Field[];
  /** Where the footer starts, and each row group's rows. */
  footer: number;
  rows: number[];
  headers: [number, number][];
  bodies: [number, number][];
  /** The bodies of the pages of column chunks the fast path takes. */
  fastBodies: [number, number][];
}[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const lossflow = join(dir, 'lossflow.parquet');
  await writeTrainingLog(lossflow, 'parquet', { rows: 300, classes: 4, epochs: 1, batchRows: 100 });
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const paths = [lossflow];
  const names = ['lossflow.parquet'];
  for (const [name, options] of [
    ['duck-plain.parquet', ", COMPRESSION 'uncompressed', ROW_GROUP_SIZE 100"],
    ['duck-snappy.parquet', ', ROW_GROUP_SIZE 100'],
    ['duck-v2.parquet', ", COMPRESSION 'uncompressed', PARQUET_VERSION 'V2', ROW_GROUP_SIZE 100"],
    ['duck-zstd.parquet', ", COMPRESSION 'zstd', ROW_GROUP_SIZE 100"],
    ['duck-zstd-v2.parquet', ", COMPRESSION 'zstd', PARQUET_VERSION 'V2', ROW_GROUP_SIZE 100"],
  ] as const) {
    const path = join(dir, name);
    await duck.run(`COPY (SELECT list_transform(range(3), k -> (i * 3 + k)::FLOAT) AS logits,
      (i % 4)::BIGINT AS target, i::INT AS id FROM range(300) t(i)) TO '${path}' (FORMAT parquet${options})`);
    paths.push(path);
    names.push(name);
  }
  duck.closeSync();
  for (const [i, path] of paths.entries()) {
    const bytes = new Uint8Array(await readFile(path));
    const file = await openParquetFile((t, p) => copyAt(bytes, t, p), bytes.length, undefined, {
      fastPath: false,
    });
    const fields = tableFromIPC(file.meta.schema).schema.fields;
    const headers: [number, number][] = [];
    const bodies: [number, number][] = [];
    const fastBodies: [number, number][] = [];
    const fast = FastParquet.open((t, p) => copyAt(bytes, t, p), bytes.length, fields)!;
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
    const meta = parquetMetadata(bytes.subarray(bytes.length - 8 - length));
    for (const [g, group] of meta.row_groups.entries())
      for (const chunk of group.columns) {
        const isFast = fast.path(g, chunk.meta_data!.path_in_schema[0]!).fast;
        const m = chunk.meta_data!;
        let at = Number(m.dictionary_page_offset ?? m.data_page_offset);
        const end = at + Number(m.total_compressed_size);
        while (at < end) {
          const reader = { view: new DataView(bytes.buffer, bytes.byteOffset), offset: at };
          const h = parquetHeader(reader);
          headers.push([at, reader.offset]);
          bodies.push([reader.offset, reader.offset + h.compressed_page_size]);
          if (isFast) fastBodies.push([reader.offset, reader.offset + h.compressed_page_size]);
          at = reader.offset + h.compressed_page_size;
        }
      }
    const footer = bytes.length - 8 - length;
    files.push({
      name: names[i]!,
      bytes,
      fields,
      footer,
      rows: meta.row_groups.map((g) => Number(g.num_rows)),
      headers,
      bodies,
      fastBodies,
    });
  }
});
afterAll(() => cleanup());

function copyAt(bytes: Uint8Array, target: Uint8Array, position: number): number {
  const src = bytes.subarray(position, position + target.length);
  target.set(src);
  return src.length;
}

/**
 * Reads every row group with the fast path from `bytes` (cut at `cut`, the footer kept) and says
 * how it ended: decoded whole (`chunks`), or row range by row range, backwards too, by the
 * page-by-page row readers (`rows`, as worker threads read them).
 */
async function outcome(
  file: (typeof files)[number],
  bytes: Uint8Array,
  cut = bytes.length,
  mode: 'chunks' | 'rows' | 'ranges' = 'chunks',
): Promise<string> {
  const readAt = (t: Uint8Array, p: number): number =>
    p >= file.footer ? copyAt(bytes, t, p) : copyAt(bytes.subarray(0, cut), t, p);
  // `ranges`: the row readers with every SNAPPY page of PLAIN values decompressed range by range.
  const fast = FastParquet.open(
    readAt,
    bytes.length,
    file.fields,
    mode === 'ranges' ? { rangePageBytes: 1 } : {},
  );
  if (fast === undefined) throw new Error('the intact footer did not parse');
  // The columns whose chunks it takes (DuckDB's v2 pages: only the dictionary-encoded target).
  const columns = file.fields.map((f) => f.name).filter((n) => fast.path(0, n).fast);
  if (columns.length === 0) throw new Error('no column takes the fast path');
  if (mode !== 'chunks') return rowsOutcome(file, fast, columns);
  let fellBack = false;
  try {
    for (let g = 0; g < file.rows.length; g++) {
      const ipc = await fast.read(g, columns, 64, undefined, async () => {
        fellBack = true;
        throw new Error('fallback');
      });
      const rows = tableFromIPC(ipc).numRows;
      if (rows !== file.rows[g]) return `wrong row count ${rows}`;
    }
    return 'rows';
  } catch (e) {
    if (fellBack) return 'fallback';
    if (e instanceof PageCorruption) return 'corrupt';
    throw e;
  }
}

/** {@link outcome} of the row readers: rows [0, 37), [37, 74), … of each row group, then the first range again. */
function rowsOutcome(file: (typeof files)[number], fast: FastParquet, columns: string[]): string {
  try {
    for (let g = 0; g < file.rows.length; g++) {
      const rows = file.rows[g]!;
      const ranges: [number, number][] = [];
      for (let first = 0; first < rows; first += 37) ranges.push([first, Math.min(rows, first + 37)]);
      ranges.push(ranges[0]!);
      for (const [first, end] of ranges) {
        const located = fast.locateRows(g, columns, first, end);
        if (located === undefined) return 'fallback';
        for (const reader of located) {
          const offsets = reader.offsets;
          if (offsets !== undefined) {
            if (offsets.length !== end - first + 1) return `wrong row count ${offsets.length - 1}`;
            for (let r = 0; r < end - first; r++) if (offsets[r + 1]! < offsets[r]!) return 'offsets go back';
            if (offsets[end - first] !== reader.hi - reader.lo) return 'offsets past the values';
          }
          reader.copyValues(new Uint8Array(reader.valueBytes));
        }
      }
    }
    return 'rows';
  } catch (e) {
    if (e instanceof FastPathFallback) return 'fallback';
    if (e instanceof PageCorruption) return 'corrupt';
    throw e;
  }
}

const OK = ['rows', 'corrupt', 'fallback'];

describe('fuzz: the Parquet fast path on damaged pages', () => {
  it('reads the intact files fast, whole and row range by row range', async () => {
    for (const file of files) {
      expect(await outcome(file, file.bytes)).toBe('rows');
      expect(await outcome(file, file.bytes, undefined, 'rows')).toBe('rows');
      expect(await outcome(file, file.bytes, undefined, 'ranges')).toBe('rows');
    }
  });

  for (const [part, mode] of [
    ['headers', 'chunks'],
    ['bodies', 'chunks'],
    ['headers', 'rows'],
    ['bodies', 'rows'],
    ['headers', 'ranges'],
    ['bodies', 'ranges'],
  ] as const) {
    it(`flipped bytes in page ${part} (levels and values), read as ${mode}: rows, a typed error or the general decoder`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(files.length - 1),
          fc.nat(10_000),
          fc.nat(10_000),
          fc.integer({ min: 1, max: 255 }),
          async (f, span, offset, xor) => {
            const file = files[f]!;
            const spans = file[part];
            const [from, to] = spans[span % spans.length]!;
            if (to <= from) return;
            const bytes = file.bytes.slice();
            bytes[from + (offset % (to - from))]! ^= xor;
            expect(OK).toContain(await outcome(file, bytes, undefined, mode));
          },
        ),
        { numRuns: 300, seed: 13 },
      );
    });
  }

  it('ZSTD frames (v1 and v2 pages): flipped bytes and cuts give rows, a typed error or the general decoder', async () => {
    const zstd = files.filter((f) => f.name.includes('zstd'));
    expect(zstd).toHaveLength(2);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(zstd.length - 1),
        fc.nat(10_000),
        fc.nat(100_000),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (f, span, offset, xor, cut) => {
          const file = zstd[f]!;
          const [from, to] = file.fastBodies[span % file.fastBodies.length]!;
          if (to <= from) return;
          const at = from + (offset % (to - from));
          if (cut) expect(['corrupt', 'fallback']).toContain(await outcome(file, file.bytes, at));
          else {
            const bytes = file.bytes.slice();
            bytes[at]! ^= xor;
            expect(OK).toContain(await outcome(file, bytes));
          }
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });

  it.each(['chunks', 'rows', 'ranges'] as const)(
    'column chunks cut short anywhere, read as %s: rows never counted wrong, a typed error',
    async (mode) => {
      await fc.assert(
        fc.asyncProperty(fc.nat(files.length - 1), fc.nat(1_000_000), async (f, at) => {
          const file = files[f]!;
          const dataEnd = file.bodies.at(-1)![1];
          const cut = 4 + (at % (dataEnd - 4));
          expect(['corrupt', 'fallback']).toContain(await outcome(file, file.bytes, cut, mode));
        }),
        { numRuns: 200, seed: 13 },
      );
    },
  );
});
