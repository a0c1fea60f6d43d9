import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIpcFile, writeIpcStream, writeParquet } from '@lossflow/arrow/node';
import { crossEntropy as coreCrossEntropy, createState, LossError } from '@lossflow/core';
import {
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
} from 'apache-arrow';
import { concat, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { losses } from '../operators/losses.js';
import { crossEntropy, mseLoss } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { reduceGroups } from '../reduce/reduceGroups.js';
import { running } from '../reduce/running.js';
import { runningGroups } from '../reduce/runningGroups.js';
import { fromFile } from '../sources/fromFile.js';
import type { LossChunk } from './LossChunk.js';
import { RowShapeCheck } from './rowShapes.js';

const item = new Field('item', new Float32(), false);
const fields = [new Field('logits', new List(item), false), new Field('target', new Int64(), false)];
const schema = new Schema(fields);

/** A batch of `rows` rows of `classes` logits each (a List<Float32> column) and class-index targets. */
function batch(rows: number, classes: number, seed = 0): RecordBatch {
  const values = Float32Array.from({ length: rows * classes }, (_, i) => Math.sin(seed + i));
  const logits = makeData({
    type: new List(item),
    length: rows,
    nullCount: 0,
    valueOffsets: Int32Array.from({ length: rows + 1 }, (_, i) => i * classes),
    child: makeData({ type: new Float32(), length: values.length, data: values }),
  });
  const target = makeData({
    type: new Int64(),
    length: rows,
    data: BigInt64Array.from({ length: rows }, (_, i) => BigInt((seed + i) % 2)),
  });
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: rows, children: [logits, target] }),
  );
}

let dir: string;
const files: Record<string, string> = {};

async function writeAll(name: string, batches: RecordBatch[]): Promise<void> {
  for (const [ext, write] of [
    ['arrows', writeIpcStream],
    ['arrow', writeIpcFile],
  ] as const) {
    const out = write(join(dir, `${name}.${ext}`), schema);
    for (const b of batches) await out.write(b);
    await out.close();
    files[`${name}.${ext}`] = join(dir, `${name}.${ext}`);
  }
  // One row group per batch (all batches have the same row count here).
  await writeParquet(join(dir, `${name}.parquet`), batches, { rowGroupRows: batches[0]!.numRows });
  files[`${name}.parquet`] = join(dir, `${name}.parquet`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-rx-shapes-'));
  await writeAll('changing', [batch(4, 3), batch(4, 2, 7)]);
  await writeAll('three', [batch(4, 3), batch(4, 3, 5)]);
  await writeAll('five', [batch(4, 5, 1)]);
});

async function failure(p: Promise<unknown>): Promise<LossError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LossError);
  return e as LossError;
}

describe.each(['arrows', 'arrow', 'parquet'])(
  'a List<Float32> column whose length changes between batches (%s)',
  (ext) => {
    it.each([0, 2])(
      'is SHAPE_CHANGED naming the column, both batches and both shapes (threads %i)',
      async (threads) => {
        const path = files[`changing.${ext}`]!;
        const e = await failure(
          lastValueFrom(fromFile(path, { threads }).pipe(crossEntropy({ input: 'logits' }), reduce('mean'))),
        );
        expect(e).toMatchObject({
          code: 'SHAPE_CHANGED',
          loss: 'crossEntropy',
          column: 'logits',
          batch: 1,
          firstBatch: 0,
          file: path,
        });
        expect(e.detail).toBe("the rows of column 'logits' have shape [2] but [3] in the batches before");
        expect(e.message).toContain(`(file '${path}', column 'logits', batch 1, before: from batch 0)`);
      },
    );

    it.each([0, 2])('is rejected by losses() too (threads %i)', async (threads) => {
      const e = await failure(
        lastValueFrom(
          fromFile(files[`changing.${ext}`]!, { threads }).pipe(losses(crossEntropy({ input: 'logits' }))),
        ),
      );
      expect(e.code).toBe('SHAPE_CHANGED');
    });

    it('keeps computing when the shape stays, equal to the one-shot value', async () => {
      const value = await lastValueFrom(
        fromFile(files[`three.${ext}`]!, { threads: 2 }).pipe(
          crossEntropy({ input: 'logits' }),
          reduce('mean'),
        ),
      );
      const a = batch(4, 3);
      const b = batch(4, 3, 5);
      const x = new Float32Array([
        ...(a.getChild('logits')!.data[0]!.children[0]!.values as Float32Array),
        ...(b.getChild('logits')!.data[0]!.children[0]!.values as Float32Array),
      ]);
      const t = new BigInt64Array([
        ...(a.getChild('target')!.data[0]!.values as BigInt64Array),
        ...(b.getChild('target')!.data[0]!.values as BigInt64Array),
      ]);
      expect(value).toBeCloseTo(coreCrossEntropy({ data: x, shape: [8, 3] }, t) as number, 6);
    });
  },
);

describe('two files of 3 and 5 classes concatenated before a reduction', () => {
  const chunks = (threads: number) =>
    concat(
      fromFile(files['three.arrows']!, { threads }).pipe(crossEntropy({ input: 'logits', by: 'target' })),
      fromFile(files['five.parquet']!, { threads }).pipe(crossEntropy({ input: 'logits', by: 'target' })),
    );

  it.each([0, 2])(
    'fail in reduce, running, reduceGroups and runningGroups, naming both files (threads %i)',
    async (threads) => {
      for (const reduction of [reduce(), running(), reduceGroups(), runningGroups()] as OperatorFunction<
        LossChunk,
        unknown
      >[]) {
        const e = await failure(lastValueFrom(chunks(threads).pipe(reduction, toArray())));
        expect(e).toMatchObject({
          code: 'SHAPE_CHANGED',
          column: 'logits',
          batch: 0,
          firstBatch: 0,
          file: files['five.parquet'],
          firstFile: files['three.arrows'],
        });
        expect(e.message).toContain(
          `have shape [5] but [3] in the batches before (file '${files['five.parquet']}', column 'logits', batch 0, before: from batch 0 of file '${files['three.arrows']}')`,
        );
      }
    },
  );
});

describe('RowShapeCheck', () => {
  const chunk = (batch: number, rowShapes: LossChunk['rowShapes']): LossChunk => ({
    loss: 'mseLoss',
    batch,
    rows: rowShapes === undefined ? 0 : 1,
    skipped: 0,
    state: createState('mseLoss'),
    groups: undefined,
    perRow: undefined,
    rowShapes,
    source: undefined,
  });

  it('lets batches without rows (no rowShapes) pass and keeps the first shape seen', () => {
    const check = new RowShapeCheck();
    check.check(chunk(0, undefined));
    check.check(chunk(1, { x: [3], y: [3] }));
    check.check(chunk(2, undefined));
    check.check(chunk(3, { x: [3], y: [3] }));
    expect(() => check.check(chunk(4, { x: [3], y: [3, 1] }))).toThrow(
      "the rows of column 'y' have shape [3, 1] but [3] in the batches before (column 'y', batch 4, before: from batch 1)",
    );
  });

  it('is per subscription in the operators', async () => {
    const op = mseLoss({ input: 'logits', target: 'logits' });
    const twice = await Promise.all([
      lastValueFrom(fromFile(files['three.arrows']!).pipe(op, reduce('sum'))),
      lastValueFrom(fromFile(files['five.parquet']!).pipe(op, reduce('sum'))),
    ]);
    expect(twice.every(Number.isFinite)).toBe(true);
  });
});

describe('a float type that changes between files', () => {
  /** `rows` rows of 3 logits (List<Float64> or List<Float32>) and targets of `targetType`. */
  function typed(float: 'float32' | 'float64', targetType: Int32 | Int64, seed: number): RecordBatch {
    const rows = 4;
    const f = float === 'float32' ? new Float32() : new Float64();
    const it = new Field('item', f, false);
    const fs = [new Field('logits', new List(it), false), new Field('target', targetType, false)];
    const sines = Array.from({ length: rows * 3 }, (_, i) => Math.sin(seed + i));
    const values = float === 'float32' ? Float32Array.from(sines) : Float64Array.from(sines);
    const logits = makeData({
      type: new List(it),
      length: rows,
      nullCount: 0,
      valueOffsets: Int32Array.from({ length: rows + 1 }, (_, i) => i * 3),
      child: makeData({ type: f, length: values.length, data: values }),
    });
    const targets =
      targetType instanceof Int64
        ? BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 3))
        : Int32Array.from({ length: rows }, (_, i) => i % 3);
    const target = makeData({ type: targetType, length: rows, data: targets });
    return new RecordBatch(
      new Schema(fs),
      makeData({ type: new Struct(fs), length: rows, children: [logits, target] }),
    );
  }

  async function write(name: string, b: RecordBatch): Promise<string> {
    const path = join(dir, name);
    const out = writeIpcStream(path, b.schema);
    await out.write(b);
    await out.close();
    return path;
  }

  const both = (a: string, b: string, threads: number) =>
    concat(
      fromFile(a, { threads }).pipe(crossEntropy({ input: 'logits' })),
      fromFile(b, { threads }).pipe(crossEntropy({ input: 'logits' })),
    );

  it.each([0, 2])('is DTYPE_CHANGED naming both files (threads %i)', async (threads) => {
    const f32 = await write(`f32-${threads}.arrows`, typed('float32', new Int64(), 0));
    const f64 = await write(`f64-${threads}.arrows`, typed('float64', new Int64(), 1));
    for (const reduction of [reduce('mean'), running('mean')] as OperatorFunction<LossChunk, unknown>[]) {
      const e = await failure(lastValueFrom(both(f32, f64, threads).pipe(reduction, toArray())));
      expect(e).toMatchObject({
        code: 'DTYPE_CHANGED',
        column: 'logits',
        batch: 0,
        firstBatch: 0,
        file: f64,
        firstFile: f32,
      });
      expect(e.message).toContain(
        "the rows of column 'logits' are float64 but float32 in the batches before",
      );
    }
  });

  it.each([0, 2])('lets Int32 and Int64 targets differ (threads %i)', async (threads) => {
    const a = await write(`i64-${threads}.arrows`, typed('float32', new Int64(), 0));
    const b = await write(`i32-${threads}.arrows`, typed('float32', new Int32(), 1));
    const value = await lastValueFrom(both(a, b, threads).pipe(reduce('mean')));
    expect(Number.isFinite(value as number)).toBe(true);
  });

  it('RowShapeCheck keeps the first type seen across batches without rows', () => {
    const check = new RowShapeCheck();
    const chunk = (batch: number, rowDtypes: LossChunk['rowDtypes']): LossChunk => ({
      loss: 'crossEntropy',
      batch,
      rows: rowDtypes === undefined ? 0 : 1,
      skipped: 0,
      state: createState('crossEntropy'),
      groups: undefined,
      perRow: undefined,
      rowDtypes,
      source: undefined,
    });
    check.check(chunk(0, { logits: 'float32' }));
    check.check(chunk(1, undefined));
    check.check(chunk(2, { logits: 'float32' }));
    expect(() => check.check(chunk(3, { logits: 'float64' }))).toThrow(/float64 but float32/);
  });
});
