import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Dictionary, Float32, Int32, RecordBatch, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { FileFormat } from '../format/detectFormat.js';
import type { ByteSource } from '../io/ByteReader.js';
import { chunked, FORMATS, openFds, readAll, tempDir } from '../testing/files.js';
import { trainingLogBatches } from '../write/trainingLogBatches.js';
import { writeIpcStream } from '../write/writeIpcStream.js';
import { writeParquet } from '../write/writeParquet.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import { readBatches } from './readBatches.js';
import { type FileSource, readFile as readArrow } from './readFile.js';

const LOG = { rows: 500, classes: 4, epochs: 2, batchRows: 128, ignoreShare: 0.1 };
const ROWS = LOG.rows * LOG.epochs;

let dir: string;
let cleanup: () => Promise<void>;
const paths = new Map<FileFormat, string>();
let expectedSum = 0;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const format of FORMATS) {
    const path = join(dir, `log.${format}`);
    await writeTrainingLog(path, format, LOG);
    paths.set(format, path);
  }
  for (const b of trainingLogBatches(LOG)) {
    const x = b.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
    for (let i = 0; i < x.length; i++) expectedSum += x[i]!;
  }
});
afterAll(() => cleanup());

const sources: Record<string, (bytes: Uint8Array, path: string) => FileSource> = {
  path: (_, path) => path,
  bytes: (bytes) => bytes,
  'Node Readable': (bytes) => Readable.from(chunked(bytes)),
  'web ReadableStream': (bytes) => {
    const it = chunked(bytes);
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await it.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
    });
  },
  'async iterable': (bytes) => chunked(bytes, [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]),
  ArrayBuffer: (bytes) => bytes.slice().buffer,
  Blob: (bytes) => new Blob([bytes]),
  'sync iterable': (bytes) => [bytes.subarray(0, 7), bytes.subarray(7, 1000), bytes.subarray(1000)],
};

/** A Blob that records the byte ranges read from it, to show it is read in slices, never whole. */
class SlicedBlob extends Blob {
  readonly reads: number[] = [];
  override slice(start?: number, end?: number, type?: string): Blob {
    this.reads.push((end ?? this.size) - (start ?? 0));
    return super.slice(start, end, type);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    this.reads.push(this.size);
    return super.arrayBuffer();
  }
}

/** Puts TMPDIR back as it was (assigning `undefined` would set it to the string 'undefined'). */
function restoreTmpdir(value: string | undefined): void {
  if (value === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = value;
}

describe('readBatches: every format from every kind of source', () => {
  for (const format of FORMATS) {
    for (const [kind, make] of Object.entries(sources)) {
      it(`${format} from a ${kind}`, async () => {
        const path = paths.get(format)!;
        const source = make(new Uint8Array(await readFile(path)), path);
        const reader = readArrow(source);
        expect(await reader.format()).toBe(format);
        expect((await reader.schema()).fields.map((f) => f.name)).toEqual([
          'epoch',
          'step',
          'logits',
          'target',
        ]);
        let rows = 0;
        let sum = 0;
        let targets = 0n;
        for await (const batch of reader) {
          rows += batch.numRows;
          const x = batch.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
          for (let i = 0; i < batch.numRows * LOG.classes; i++) sum += x[i]!;
          const t = batch.getChild('target')!.data[0]!.values as BigInt64Array;
          for (let i = 0; i < batch.numRows; i++) targets += t[i]!;
        }
        expect(rows).toBe(ROWS);
        expect(sum).toBeCloseTo(expectedSum, 3);
        expect(targets).not.toBe(0n);
        expect(reader.progress.rows).toBe(ROWS);
      });
    }
  }
});

/** Rows and the float32 sum of `logits` in each batch a reader hands out. */
async function batchSums(reader: AsyncIterable<RecordBatch>): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for await (const batch of reader) {
    const x = batch.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
    let sum = 0;
    for (let i = 0; i < batch.numRows * 10; i++) sum += x[i]!;
    out.push([batch.numRows, sum]);
  }
  return out;
}

describe('readBatches: the universal entry', () => {
  for (const format of FORMATS) {
    it(`${format}: a Blob is read in slices, a ReadableStream and bytes read the same batches`, async () => {
      const path = join(dir, `blob.${format}`);
      await writeTrainingLog(path, format, { rows: 60_000, classes: 10, epochs: 1, batchRows: 4096 });
      const bytes = new Uint8Array(await readFile(path));
      const blob = new SlicedBlob([bytes]);
      const fromBlob = await batchSums(readBatches(blob));
      expect(fromBlob.reduce((n, [rows]) => n + rows, 0)).toBe(60_000);
      expect(await batchSums(readBatches(bytes))).toEqual(fromBlob);
      expect(await batchSums(readBatches(new Blob([bytes]).stream()))).toEqual(fromBlob);
      expect(blob.reads.length).toBeGreaterThan(1);
      expect(Math.max(...blob.reads)).toBeLessThan(bytes.length);
    });
  }

  it('names a File in errors and refuses a path with a hint to @lossflow/arrow/node', async () => {
    const file = new File([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])], 'notes.csv');
    await expect(readBatches(file).schema()).rejects.toMatchObject({ code: 'BAD_MAGIC', file: 'notes.csv' });
    const fromPath = readBatches(paths.get('arrow-stream') as unknown as ByteSource).schema();
    await expect(fromPath).rejects.toBeInstanceOf(ArrowReadError);
    await expect(fromPath).rejects.toMatchObject({
      code: 'IO',
      hint: expect.stringMatching(/@lossflow\/arrow\/node/),
    });
  });
});

describe('readBatches: options', () => {
  for (const format of FORMATS) {
    it(`${format}: column projection, in the order asked`, async () => {
      const reader = readArrow(paths.get(format)!, { columns: ['target', 'logits'] });
      expect((await reader.schema()).fields.map((f) => f.name)).toEqual(['target', 'logits']);
      let rows = 0;
      for await (const batch of reader) {
        expect(batch.schema.fields.map((f) => f.name)).toEqual(['target', 'logits']);
        expect(batch.data.children.map((c) => String(c.type))).toEqual([
          'Int64',
          'FixedSizeList[4]<Float32>',
        ]);
        rows += batch.numRows;
      }
      expect(rows).toBe(ROWS);
    });

    it(`${format}: a limit stops after that many rows, slicing the last batch`, async () => {
      const reader = readArrow(paths.get(format)!, { limit: 300 });
      const sizes: number[] = [];
      for await (const batch of reader) sizes.push(batch.numRows);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(300);
      expect(reader.progress.rows).toBe(300);
      expect(await readAll(paths.get(format)!, { limit: 0 })).toEqual({ rows: 0, batches: 0, sum: 0 });
    });

    it(`${format}: progress advances during reading and onProgress follows each batch`, async () => {
      // Large enough for several reads: a small file is read in one go.
      const path = join(dir, `big.${format}`);
      await writeTrainingLog(path, format, { rows: 20_000, classes: 10, epochs: 1, batchRows: 2000 });
      const seen: number[] = [];
      const reader = readArrow(path, { onProgress: (p) => seen.push(p.bytesRead) });
      let batches = 0;
      for await (const _ of reader) {
        batches++;
        expect(reader.progress.batches).toBe(batches);
      }
      expect(seen.length).toBe(batches);
      expect(seen[0]!).toBeGreaterThan(0);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
      expect(seen[seen.length - 1]!).toBeGreaterThan(seen[0]!);
      expect(reader.progress.totalBytes).toBe((await readFile(path)).length);
      expect(reader.progress.bytesRead).toBeLessThanOrEqual(reader.progress.totalBytes!);
    });

    it(`${format}: breaking out of the loop closes the file`, async () => {
      const before = await openFds();
      const reader = readArrow(paths.get(format)!);
      for await (const _ of reader) break;
      expect(await openFds()).toBe(before);
      await reader.close();
      await reader.close();
    });

    it(`${format}: an abort ends the iteration with ABORTED`, async () => {
      const controller = new AbortController();
      const reader = readArrow(paths.get(format)!, { signal: controller.signal });
      let batches = 0;
      await expect(
        (async () => {
          for await (const _ of reader) {
            if (++batches === 2) controller.abort();
          }
        })(),
      ).rejects.toMatchObject({ code: 'ABORTED' });
      expect(batches).toBe(2);
    });
  }

  for (const format of ['arrow-stream', 'arrow-file'] as const) {
    it(`${format}: reuseBuffers gives the same batches from a few recycled buffers`, async () => {
      const path = join(dir, `reuse.${format}`);
      await writeTrainingLog(path, format, { rows: 20_000, classes: 10, epochs: 1, batchRows: 1000 });
      const digest = async (reuseBuffers: boolean) => {
        const sums: number[] = [];
        const buffers = new Set<ArrayBufferLike>();
        for await (const batch of readArrow(path, { reuseBuffers })) {
          const x = batch.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
          buffers.add(x.buffer);
          let s = 0;
          for (let i = 0; i < batch.numRows * 10; i++) s += x[i]! * ((i % 13) + 1);
          sums.push(s);
        }
        return { sums, buffers: buffers.size };
      };
      const fresh = await digest(false);
      const reused = await digest(true);
      expect(reused.sums).toEqual(fresh.sums);
      expect(fresh.buffers).toBe(20);
      expect(reused.buffers).toBeLessThanOrEqual(5);
    });
  }

  it('reuseBuffers never recycles a dictionary', async () => {
    const path = join(dir, 'dictionary.arrows');
    const out = writeIpcStream(path);
    const type = new Dictionary(new Utf8(), new Int32());
    for (let b = 0; b < 6; b++) {
      const labels = vectorFromArray(['cat', 'dog', 'cat', 'bird'], type);
      const x = vectorFromArray(
        Array.from({ length: 4 }, (_, i) => b * 4 + i),
        new Float32(),
      );
      await out.write(new RecordBatch({ label: labels.data[0]!, x: x.data[0]! }));
    }
    await out.close();
    const seen: string[] = [];
    for await (const batch of readArrow(path, { reuseBuffers: true })) {
      seen.push(String(batch.getChild('label')!.toArray().join(',')));
    }
    expect(seen).toEqual(new Array(6).fill('cat,dog,cat,bird'));
  });

  it('Parquet decodes only the projected columns', async () => {
    const path = paths.get('parquet')!;
    const all = readArrow(path);
    for await (const _ of all);
    const some = readArrow(path, { columns: ['target'] });
    for await (const _ of some);
    expect(some.progress.bytesRead).toBeLessThan(all.progress.bytesRead / 3);
  });

  it('Parquet streams row group by row group', async () => {
    const path = join(dir, 'groups.parquet');
    await writeParquet(path, trainingLogBatches({ rows: 4000, classes: 8, epochs: 1, batchRows: 500 }), {
      rowGroupRows: 500,
    });
    const reader = readArrow(path);
    const total = (await readFile(path)).length;
    let first: number | undefined;
    for await (const _ of reader) first ??= reader.progress.bytesRead;
    // After the first batch, the decoder has read the first two row groups (one ahead), not all eight.
    expect(first!).toBeLessThan(total / 2);
    expect(reader.progress.batches).toBe(8);
  });

  it('an abort while a stream waits for data ends at once, without a hang', async () => {
    const controller = new AbortController();
    const bytes = new Uint8Array(await readFile(paths.get('arrow-stream')!));
    async function* stalls(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 1000);
      await new Promise(() => undefined);
    }
    setTimeout(() => controller.abort(), 50);
    await expect(readAll(stalls(), { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('an already aborted signal reads nothing', async () => {
    await expect(readAll(paths.get('arrow-file')!, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('a reader is iterated once', async () => {
    const reader = readArrow(paths.get('arrow-stream')!);
    for await (const _ of reader);
    expect(() => reader[Symbol.asyncIterator]()).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });

  it('the schema is known before the first batch, after projection', async () => {
    const reader = readArrow(paths.get('parquet')!, { columns: ['logits'] });
    expect(String((await reader.schema()).fields[0]!.type)).toBe('FixedSizeList[4]<Float32>');
    expect(reader.progress.batches).toBe(0);
    await reader.close();
  });
});

describe('readBatches: failures are typed errors naming the file', () => {
  it('text is BAD_MAGIC with the bytes it saw', async () => {
    const path = join(dir, 'not.arrow');
    await writeFile(path, 'epoch,logits,target\n0,1,2\n');
    await expect(readAll(path)).rejects.toMatchObject({ code: 'BAD_MAGIC', file: path });
    await expect(readAll(path)).rejects.toThrow(/65 70 6f 63 68 2c 6c 6f/);
  });

  it('an empty file is TRUNCATED', async () => {
    const path = join(dir, 'empty.arrow');
    await writeFile(path, '');
    await expect(readAll(path)).rejects.toMatchObject({ code: 'TRUNCATED', file: path });
  });

  it('a missing file is IO with a hint', async () => {
    const path = join(dir, 'nope.parquet');
    await expect(readAll(path)).rejects.toMatchObject({
      code: 'IO',
      file: path,
      hint: 'Check the path: no such file.',
    });
  });

  it('a projection of an unknown column is MISSING_COLUMN listing the columns', async () => {
    for (const format of FORMATS) {
      await expect(readAll(paths.get(format)!, { columns: ['logits', 'label'] })).rejects.toThrow(
        /no column 'label'; available: epoch \(Int32\), step \(Int64\), logits \(FixedSizeList\[4\]<Float32>\), target \(Int64\)/,
      );
    }
  });

  it('a stream cut inside a message is TRUNCATED, naming the batch', async () => {
    const bytes = new Uint8Array(await readFile(paths.get('arrow-stream')!));
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    let error: ArrowReadError | undefined;
    let batches = 0;
    try {
      for await (const _ of readArrow(cut)) batches++;
    } catch (e) {
      error = e as ArrowReadError;
    }
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({ code: 'TRUNCATED', file: '<bytes>', batch: batches });
    expect(error!.message).toMatch(
      /TRUNCATED: the stream ends inside a message.*\(file '<bytes>', batch \d+\)\. The file was cut short/,
    );
  });

  it('a stream that fails mid-way throws its error instead of ending early', async () => {
    const bytes = new Uint8Array(await readFile(paths.get('arrow-stream')!));
    async function* fails(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 5000);
      throw new Error('connection reset');
    }
    await expect(readAll(Readable.from(fails()))).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringMatching(/connection reset/),
    });
    await expect(readAll(fails())).rejects.toMatchObject({ code: 'IO' });
  });

  it('a stream of text instead of bytes is IO with a fix', async () => {
    const text = Readable.from(['not', 'bytes']);
    await expect(readAll(text)).rejects.toMatchObject({
      code: 'IO',
      hint: expect.stringMatching(/binary mode/),
    });
  });

  it('a locked ReadableStream is IO saying how to free it, not damaged bytes', async () => {
    const stream = new Blob([new Uint8Array(16)]).stream();
    const reader = stream.getReader();
    await expect(readAll(stream)).rejects.toMatchObject({
      code: 'IO',
      file: '<stream>',
      hint: expect.stringMatching(/releaseLock\(\).*tee\(\)/),
    });
    reader.releaseLock();
  });

  it('Parquet and Arrow files cut short are TRUNCATED', async () => {
    for (const format of ['parquet', 'arrow-file'] as const) {
      const bytes = new Uint8Array(await readFile(paths.get(format)!));
      const path = join(dir, `cut.${format}`);
      await writeFile(path, bytes.subarray(0, bytes.length - 100));
      await expect(readAll(path)).rejects.toMatchObject({ code: 'TRUNCATED', file: path });
    }
  });

  it('an unsupported Parquet codec is UNSUPPORTED naming the row group and column', async () => {
    const path = join(dir, 'zstd.parquet');
    await writeParquet(path, trainingLogBatches({ rows: 100, classes: 3, epochs: 1 }), {
      compression: 'zstd',
    });
    const bytes = new Uint8Array(await readFile(path));
    // Rewrite the footer's ColumnMetaData codec fields (thrift compact: field 4, i32) from ZSTD to LZO.
    const footerLength = new DataView(bytes.buffer).getInt32(bytes.length - 8, true);
    let patched = 0;
    for (let i = bytes.length - 8 - footerLength; i < bytes.length - 8; i++) {
      if (bytes[i] === 0x15 && bytes[i + 1] === 0x0c) {
        bytes[i + 1] = 0x06;
        patched++;
      }
    }
    expect(patched).toBe(4);
    await writeFile(path, bytes);
    await expect(readAll(path)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      rowGroup: 0,
      column: 'epoch',
      message: expect.stringMatching(/compressed with LZO/),
    });
  });

  it.each(['arrow-file', 'parquet'] as const)(
    'an %s from a pipe is spilled to a temporary file (mode 0600), removed when the reader closes or fails',
    async (format) => {
      const bytes = new Uint8Array(await readFile(paths.get(format)!));
      const spills = join(dir, `spill-${format}`);
      await mkdir(spills);
      const spilled = async () =>
        (await readdir(spills)).filter((f) => f.startsWith('lossflow-spill-')).map((f) => join(spills, f));
      const tmp = process.env.TMPDIR;
      process.env.TMPDIR = spills;
      try {
        const reader = readArrow(Readable.from(chunked(bytes)));
        expect(await reader.format()).toBe(format);
        // Read from a file, not memory: the whole input is in the temporary file, private to this user.
        const [file] = await spilled();
        expect(file).toBeDefined();
        expect((await stat(file!)).size).toBe(bytes.length);
        expect((await stat(file!)).mode & 0o777).toBe(0o600);
        expect(reader.progress.totalBytes).toBe(bytes.length);
        let rows = 0;
        for await (const batch of reader) rows += batch.numRows;
        expect(rows).toBe(ROWS);
        expect(await spilled()).toEqual([]);
        // A damaged input, and a stream that fails mid-way, leave nothing behind either.
        const cut = bytes.slice();
        cut.fill(0, 200, cut.length - 200);
        await expect(readAll(Readable.from(chunked(cut)))).rejects.toBeInstanceOf(ArrowReadError);
        async function* failing(): AsyncGenerator<Uint8Array> {
          yield bytes.slice(0, 1000);
          throw new Error('connection reset');
        }
        await expect(readAll(failing())).rejects.toMatchObject({ code: 'IO' });
        const aborted = new AbortController();
        const early = readArrow(Readable.from(chunked(bytes)), { signal: aborted.signal });
        await early.schema();
        aborted.abort();
        const stopped = await (async () => {
          for await (const _ of early) {
            // An aborted reader hands out nothing more.
          }
        })().catch((e: unknown) => e);
        expect(stopped).toMatchObject({ code: 'ABORTED' });
        expect(await spilled()).toEqual([]);
      } finally {
        restoreTmpdir(tmp);
      }
    },
  );

  it('a temporary file that cannot be written is IO naming the folder, with how to fix it', async () => {
    const bytes = new Uint8Array(await readFile(paths.get('parquet')!));
    const tmp = process.env.TMPDIR;
    const missing = join(dir, 'no-such-tmp');
    process.env.TMPDIR = missing;
    try {
      const error = await readAll(Readable.from(chunked(bytes))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArrowReadError);
      expect(error).toMatchObject({ code: 'IO', file: '<stream>' });
      expect((error as Error).message).toContain(`a temporary file in '${missing}'`);
      expect((error as Error).message).toMatch(
        /set TMPDIR to a writable folder .* or pass the input as a regular file/i,
      );
    } finally {
      restoreTmpdir(tmp);
    }
  });

  it('an Arrow IPC file from a stream is collected and read', async () => {
    const bytes = new Uint8Array(await readFile(paths.get('arrow-file')!));
    expect((await readAll(Readable.from(chunked(bytes)))).rows).toBe(ROWS);
  });
});
