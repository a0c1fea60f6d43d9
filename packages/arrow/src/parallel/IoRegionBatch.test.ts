/**
 * The worker-side view of a batch (scan the message headers, plan the block, read its byte ranges,
 * `IoRegionBatch.tensors`) against the in-thread path (`readBatches`, `batchTensors`) on random
 * batches of every tensor layout, with nulls, ragged lists and columns of other types around the
 * selected ones: the same tensors, rows and skipped counts, or the same error.
 */
import { openSync, readSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Field as ArrowField,
  type Data,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  type RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Struct,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { scanIpcFile, scanIpcStream } from '../ipc/scanIpcBlocks.js';
import { readFile } from '../read/readFile.js';
import { type TensorLayout, tensorLayout } from '../schema/tensorLayout.js';
import { type BatchTensors, batchTensors } from '../tensors/batchTensors.js';
import { batchOf, fixedList, list, primitive } from '../testing/batches.js';
import { tempDir } from '../testing/files.js';
import { batchReadPlan } from './BatchReadPlan.js';
import { batchSlots } from './batchSlots.js';
import { IoRegionBatch } from './IoRegionBatch.js';

// Worker threads start slowly on a busy machine (turbo runs the packages' tests side by side).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

interface Draw {
  rows: number;
  k: number;
  listLength: number;
  ragged: number | undefined;
  nulls: { x: number[]; xLeaf: number[]; y: number[]; z: number[]; w: number[] };
}

const values = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) * 10);

/** A batch with selectable tensor columns of every layout, and columns of other types between them. */
function makeBatch(d: Draw): RecordBatch {
  const n = d.rows;
  const offsets = Array.from(
    { length: n + 1 },
    (_, r) => r * d.listLength + (d.ragged !== undefined && r > d.ragged ? 1 : 0),
  );
  const childLength = offsets[n]!;
  const label = vectorFromArray(
    Array.from({ length: n }, (_, i) => `row ${i}`),
    new Utf8(),
  ).data[0]!;
  const nested = makeData({
    type: new Struct([new ArrowField('a', new Int32(), true)]),
    length: n,
    children: [
      primitive(
        new Int32(),
        Int32Array.from({ length: n }, (_, i) => i),
      ),
    ],
  });
  return batchOf({
    label: label as Data,
    x: fixedList(d.k, primitive(new Float32(), values(n * d.k, 1), d.nulls.xLeaf), d.nulls.x),
    nested: nested as Data,
    y: primitive(
      new Int64(),
      BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 5) - 1n),
      d.nulls.y,
    ),
    z: list(offsets, primitive(new Float64(), Float64Array.from(values(childLength, 2))), {
      nulls: d.nulls.z,
    }),
    w: primitive(new Float32(), values(n, 3), d.nulls.w),
    t: fixedList(
      2,
      fixedList(
        2,
        primitive(
          new Int32(),
          Int32Array.from({ length: n * 4 }, (_, i) => i),
        ),
      ),
    ),
    ll: list(
      Array.from({ length: n + 1 }, (_, r) => 2 * r),
      primitive(new Float32(), values(2 * n, 4)),
      { large: true },
    ),
  });
}

const positions = (n: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: n === 0 ? 0 : 3 });

const draw: fc.Arbitrary<Draw> = fc
  .record({
    rows: fc.integer({ min: 0, max: 12 }),
    k: fc.integer({ min: 1, max: 3 }),
    listLength: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ rows, k, listLength }) =>
    fc.record({
      rows: fc.constant(rows),
      k: fc.constant(k),
      listLength: fc.constant(listLength),
      ragged: fc.option(fc.integer({ min: 0, max: Math.max(0, rows - 2) }), { nil: undefined }),
      nulls: fc.record({
        x: positions(rows),
        xLeaf: positions(rows * k),
        y: positions(rows),
        z: positions(rows),
        w: positions(rows),
      }),
    }),
  );

const ROLE_SETS: Record<string, string>[] = [
  { input: 'x', target: 'y' },
  { input: 'z', weight: 'w' },
  { input: 't', target: 'y', key: 'w' },
  { input: 'll', other: 'x', again: 'x' },
];

type Outcome = BatchTensors | { error: string; row: number | undefined; column: string | undefined };

function outcome(f: () => BatchTensors): Outcome {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ArrowReadError)) throw e;
    return { error: e.code, row: e.row, column: e.column };
  }
}

/** Tensors as plain arrays, so views and copies compare by value. */
function plain(o: Outcome): unknown {
  if ('error' in o) return o;
  return {
    rows: o.rows,
    skipped: o.skipped,
    tensors: Object.fromEntries(
      Object.entries(o.tensors).map(([role, t]) => [
        role,
        { shape: t.shape, data: Array.from(t.data as ArrayLike<unknown>) },
      ]),
    ),
  };
}

/** What a worker does with a block: read its ranges into an IO region that starts `shift` bytes into a buffer. */
function readBlock(path: string, reads: readonly number[], ioBytes: number, shift: number): Uint8Array {
  const io = new Uint8Array(ioBytes + shift + 8).subarray(shift, shift + ioBytes);
  const fd = openSync(path, 'r');
  for (let i = 0; i < reads.length; i += 3) readSync(fd, io, reads[i + 2]!, reads[i + 1]!, reads[i]!);
  return io;
}

async function compare(
  d: Draw,
  format: 'stream' | 'file',
  nulls: 'error' | 'skip',
  shift: number,
): Promise<void> {
  const batch = makeBatch(d);
  const bytes =
    format === 'stream'
      ? RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true)
      : RecordBatchFileWriter.writeAll([batch]).toUint8Array(true);
  const path = join(dir, `block.${format}`);
  writeFileSync(path, bytes);
  const inThread: RecordBatch[] = [];
  for await (const b of readFile(path)) inThread.push(b);
  const handle = await open(path, 'r');
  try {
    const scan =
      format === 'stream'
        ? await scanIpcStream(handle, bytes.length, path, false)
        : await scanIpcFile(handle, bytes.length, path);
    const found = [];
    for await (const at of scan.batches()) found.push(at);
    expect(found.length).toBe(1);
    const { header, bodyOffset, bodyLength } = found[0]!;
    expect(header.rows).toBe(d.rows);
    for (const columns of ROLE_SETS) {
      const names = [...new Set(Object.values(columns))];
      const layouts = names.map(
        (name) => tensorLayout(batch.schema.fields.find((f) => f.name === name)!) as TensorLayout,
      );
      const slots = batchSlots(scan.fields, scan.version, header.variadicCounts, names);
      const block = batchReadPlan(header, bodyOffset, bodyLength, slots, names, 0, header.rows, path);
      const io = readBlock(path, block.reads, block.ioBytes, shift);
      const worker = outcome(() => new IoRegionBatch(io, block, names, layouts).tensors(columns, { nulls }));
      const expected =
        inThread.length === 0 ? undefined : outcome(() => batchTensors(inThread[0]!, columns, { nulls }));
      if (expected !== undefined) expect(plain(worker)).toEqual(plain(expected));
      else expect(d.rows).toBe(0);
    }
  } finally {
    await handle.close();
  }
}

describe('IoRegionBatch', () => {
  it('gives the tensors (or the error) of batchTensors for every layout, with and without nulls', async () => {
    await fc.assert(
      fc.asyncProperty(
        draw,
        fc.constantFrom('stream' as const, 'file' as const),
        fc.constantFrom('error' as const, 'skip' as const),
        fc.constantFrom(0, 4),
        (d, format, nulls, shift) => compare(d, format, nulls, shift),
      ),
      { numRuns: 60 },
    );
  });

  it('reads only the selected columns: near ones in one range, far ones in a compact IO region', async () => {
    const plan = async (rows: number, names: string[]) => {
      const d: Draw = {
        rows,
        k: 3,
        listLength: 2,
        ragged: undefined,
        nulls: { x: [], xLeaf: [], y: [], z: [], w: [] },
      };
      const bytes = RecordBatchStreamWriter.writeAll([makeBatch(d)]).toUint8Array(true);
      const path = join(dir, 'ranges.arrows');
      writeFileSync(path, bytes);
      const handle = await open(path, 'r');
      try {
        const scan = await scanIpcStream(handle, bytes.length, path, false);
        const { header, bodyOffset, bodyLength } = (await scan.batches().next()).value!;
        const slots = batchSlots(scan.fields, scan.version, [], names);
        return {
          block: batchReadPlan(header, bodyOffset, bodyLength, slots, names, 0, rows, path),
          bodyLength,
        };
      } finally {
        await handle.close();
      }
    };
    // Columns without nulls need no validity bitmap.
    const near = await plan(100, ['x', 'w']);
    expect(near.block.reads.length).toBe(3);
    expect(near.block.columns.map((levels) => levels.map((l) => l.validity))).toEqual([
      [undefined, undefined],
      [undefined],
    ]);
    // x (60 kB) and w (20 kB) with 140 kB of other columns between them: two reads, 80 kB of IO region.
    const far = await plan(5000, ['x', 'w']);
    expect(far.block.reads.length).toBe(6);
    expect(far.block.ioBytes).toBeLessThan(81_000);
    expect(far.block.ioBytes).toBeLessThan(far.bodyLength / 2);
  });
});
