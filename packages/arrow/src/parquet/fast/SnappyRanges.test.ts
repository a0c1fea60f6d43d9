import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetHeader } from 'hyparquet/src/column.js';
import { parquetMetadata } from 'hyparquet/src/metadata.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/files.js';
import { PageCorruption } from './PageCorruption.js';
import { SnappyRanges } from './SnappyRanges.js';
import { snappyLiterals } from './snappyLiterals.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

function readerOf(bytes: Uint8Array): (into: Uint8Array, at: number) => number {
  return (into, at) => {
    const src = bytes.subarray(at, at + into.length);
    into.set(src);
    return src.length;
  };
}

/** The varint length, then `parts` (literal byte arrays, or [offset, length] copies). */
function stream(size: number, parts: (Uint8Array | [number, number])[]): Uint8Array {
  const out: number[] = [];
  for (let v = size; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v);
      break;
    }
    out.push((v & 0x7f) | 0x80);
  }
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      const n = part.length - 1;
      out.push(61 << 2, n & 0xff, n >>> 8);
      out.push(...part);
    } else {
      const [offset, length] = part;
      out.push(((length - 1) << 2) | 2, offset & 0xff, offset >>> 8);
    }
  }
  return Uint8Array.from(out);
}

describe('SNAPPY pages decompressed range by range', () => {
  it('gives the bytes a whole decompression gives, for any range, in any order, on DuckDB’s pages', async () => {
    const path = join(dir, 'page.parquet');
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    // Repeating values, so the stream has copies as well as literals, over many 64 KiB blocks.
    await duck.run(`COPY (SELECT ((i * 7919) % 1000)::FLOAT / 7 AS x FROM range(300000) t(i))
      TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 300000)`);
    duck.closeSync();
    const bytes = new Uint8Array(await readFile(path));
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
    const meta = parquetMetadata(bytes.subarray(bytes.length - 8 - length));
    const at = Number(meta.row_groups[0]!.columns[0]!.meta_data!.data_page_offset);
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset), offset: at };
    const header = parquetHeader(reader);
    const body = reader.offset;
    const compressed = header.compressed_page_size;
    const size = header.uncompressed_page_size;
    expect(size).toBeGreaterThan(4 * 65_536);
    expect(compressed).toBeLessThan(size);
    const whole = new Uint8Array(size);
    snappyLiterals(bytes.subarray(body, body + compressed), whole);
    const ranges = new SnappyRanges(readerOf(bytes));
    let s = 11;
    const random = (): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const asked: [number, number][] = [
      [0, size],
      [size - 1, size],
      [65_536, 65_536 * 2],
      [65_535, 65_537],
    ];
    for (let i = 0; i < 40; i++) {
      const a = Math.floor(random() * size);
      asked.push([a, Math.min(size, a + 1 + Math.floor(random() * random() * size))]);
    }
    for (const [from, to] of asked) {
      const into = new Uint8Array(to - from);
      expect(ranges.read(body, compressed, size, from, to, into), `${from}-${to}`).toBe(true);
      expect(Buffer.compare(Buffer.from(into), Buffer.from(whole.subarray(from, to))), `${from}-${to}`).toBe(
        0,
      );
    }
  });

  it('repeats overlapping copies of every length as the format means them (a copy shorter than its reach too)', () => {
    const start = Uint8Array.from({ length: 40 }, (_, i) => (i * 37) % 256);
    const parts: (Uint8Array | [number, number])[] = [start];
    let size = start.length;
    for (const [offset, length] of [
      [35, 64],
      [1, 20],
      [3, 64],
      [40, 16],
      [7, 9],
      [64, 64],
      [2, 33],
    ] as const) {
      parts.push([offset, length]);
      size += length;
    }
    const bytes = stream(size, parts);
    const whole = new Uint8Array(size);
    snappyLiterals(bytes, whole);
    const into = new Uint8Array(size);
    expect(new SnappyRanges(readerOf(bytes)).read(0, bytes.length, size, 0, size, into)).toBe(true);
    expect([...into]).toEqual([...whole]);
  });

  it('every tag kind parsed through the window; cut short anywhere, a stream is corrupt, never read', () => {
    // Varint 90; a 10-byte literal (short tag), a 1-byte-offset copy, a 2-byte one, a 4-byte one,
    // and a 60-byte literal whose length takes an extra byte (tag 60 << 2).
    const literal = Array.from({ length: 60 }, (_, i) => (i * 13) % 256);
    const bytes = Uint8Array.from([
      90,
      (10 - 1) << 2,
      ...literal.slice(0, 10),
      ((8 - 4) << 2) | 1,
      6,
      ((6 - 1) << 2) | 2,
      4,
      0,
      ((6 - 1) << 2) | 3,
      10,
      0,
      0,
      0,
      60 << 2,
      60 - 1,
      ...literal,
    ]);
    const whole = new Uint8Array(90);
    snappyLiterals(bytes, whole);
    const into = new Uint8Array(90);
    expect(new SnappyRanges(readerOf(bytes)).read(0, bytes.length, 90, 0, 90, into)).toBe(true);
    expect([...into]).toEqual([...whole]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const short = bytes.subarray(0, cut);
      expect(
        () => new SnappyRanges(readerOf(short)).read(0, cut, 90, 0, 90, new Uint8Array(90)),
        `${cut}`,
      ).toThrow(PageCorruption);
    }
  });

  it('says false for a copy that reaches back past its 64 KiB block, so the page is decompressed whole', () => {
    const first = new Uint8Array(65_536).map((_, i) => i % 251);
    const bytes = stream(65_536 + 8, [first, [1000, 8]]);
    const ranges = new SnappyRanges(readerOf(bytes));
    expect(ranges.read(0, bytes.length, 65_536 + 8, 65_536, 65_544, new Uint8Array(8))).toBe(false);
    // Within the first block it is an ordinary stream.
    const into = new Uint8Array(16);
    expect(ranges.read(0, bytes.length, 65_536 + 8, 100, 116, into)).toBe(true);
    expect([...into]).toEqual([...first.subarray(100, 116)]);
  });

  it('a stream cut short, with bytes past its size, or of another size is corrupt', () => {
    const literal = new Uint8Array(300).fill(7);
    const bytes = stream(300, [literal]);
    const read = (b: Uint8Array, size: number, to = size) =>
      new SnappyRanges(readerOf(b)).read(0, b.length, size, 0, to, new Uint8Array(to));
    expect(read(bytes, 300)).toBe(true);
    expect(() => read(bytes.subarray(0, 200), 300)).toThrow(PageCorruption);
    expect(() => read(bytes, 299)).toThrow(PageCorruption);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => read(longer, 300)).toThrow(PageCorruption);
  });
});
