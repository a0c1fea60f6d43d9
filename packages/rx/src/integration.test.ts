/**
 * Cross-package integration: the committed multi-epoch log (fixtures/epoch-log.*, written in three
 * formats from fixtures/epoch-log.json) streamed through the operators must give torch's values.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrowReadError } from '@lossflow/arrow';
import { readFile as readBatches, writeIpcStream } from '@lossflow/arrow/node';
import {
  crossEntropy as coreCrossEntropy,
  tripletMarginLoss as coreTripletMarginLoss,
  LossError,
} from '@lossflow/core';
import { Field, FixedSizeList, Float32, Int64, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { concatMap, forkJoin, from, lastValueFrom, share, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { crossEntropy, mseLoss, tripletMarginLoss } from './operators/lossOperators.js';
import { perRowBatches } from './reduce/perRowBatches.js';
import { reduce } from './reduce/reduce.js';
import { reduceGroups } from './reduce/reduceGroups.js';
import { fromBatches } from './sources/fromBatches.js';
import { fromFile } from './sources/fromFile.js';

const fixture = (name: string) => new URL(`../../../fixtures/${name}`, import.meta.url).pathname;

interface Expected {
  all: { float32: number };
  by_epoch: { key: number; rows: number; float32: number }[];
}
const doc = JSON.parse(readFileSync(fixture('epoch-log.json'), 'utf8')) as {
  meta: { weight: number[]; label_smoothing: number };
  expected: Record<string, Expected>;
};
const closeTo = (got: number, exp: number) =>
  expect(Math.abs(got - exp)).toBeLessThanOrEqual(1e-6 + 2e-6 * Math.abs(exp));

describe.each(['epoch-log.arrows', 'epoch-log.arrow', 'epoch-log.parquet'])('%s', (file) => {
  it('pipe(crossEntropy(weight), reduce("mean")) equals torch', async () => {
    const value = await lastValueFrom(
      fromFile(fixture(file)).pipe(crossEntropy(doc.meta.weight), reduce('mean')),
    );
    closeTo(value, doc.expected['cross-entropy-weighted']!.all.float32);
  });

  it('groups by epoch exactly although batches span epoch boundaries', async () => {
    for (const [name, options] of [
      ['cross-entropy', {}],
      ['cross-entropy-weighted', { weight: doc.meta.weight }],
      ['cross-entropy-label-smoothing', { labelSmoothing: doc.meta.label_smoothing }],
    ] as const) {
      const groups = await lastValueFrom(
        fromFile(fixture(file)).pipe(
          crossEntropy({ ...options, by: 'epoch', ignoreIndex: -100 }),
          reduceGroups('mean'),
          toArray(),
        ),
      );
      const expected = doc.expected[name]!.by_epoch;
      expect(groups.map((g) => [g.key, g.rows])).toEqual(expected.map((e) => [e.key, e.rows]));
      for (const [i, g] of groups.entries()) closeTo(g.value, expected[i]!.float32);
    }
  });

  it('computes several losses in one pass over the file', async () => {
    const reader = readBatches(fixture(file));
    const batches = fromBatches(reader).pipe(share());
    const result = await lastValueFrom(
      forkJoin({
        ce: batches.pipe(crossEntropy(), reduce('mean')),
        ceSum: batches.pipe(crossEntropy({ input: 'logits', target: 'target' }), reduce('sum')),
        mse: batches.pipe(mseLoss({ input: 'pred', target: 'y' }), reduce('mean')),
      }),
    );
    closeTo(result.ce, doc.expected['cross-entropy']!.all.float32);
    closeTo(result.ceSum, doc.expected['cross-entropy-sum']!.all.float32);
    closeTo(result.mse, doc.expected.mse!.all.float32);
    expect(reader.progress.rows).toBe(148);
  });
});

describe('errors', () => {
  it('a truncated file errors the stream and never emits a final value', async () => {
    const bytes = readFileSync(fixture('epoch-log.arrows'));
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-rx-'));
    const path = join(dir, 'truncated.arrows');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const emitted: number[] = [];
    const result = new Promise<unknown>((resolve) =>
      fromFile(path)
        .pipe(crossEntropy(), reduce('mean'))
        .subscribe({ next: (v) => emitted.push(v), error: resolve, complete: () => resolve('completed') }),
    );
    expect(await result).toBeInstanceOf(ArrowReadError);
    expect(emitted).toEqual([]);
  });

  it('a class index out of range names the batch, the row and the column', async () => {
    const C = 3;
    const rowType = new FixedSizeList(C, new Field('item', new Float32(), false));
    const schema = new Schema([new Field('logits', rowType, false), new Field('label', new Int64(), false)]);
    const batch = (targets: bigint[]) =>
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(schema.fields),
          length: targets.length,
          children: [
            makeData({
              type: rowType,
              length: targets.length,
              child: makeData({
                type: new Float32(),
                length: targets.length * C,
                data: new Float32Array(targets.length * C),
              }),
            }),
            makeData({ type: new Int64(), length: targets.length, data: BigInt64Array.from(targets) }),
          ],
        }),
      );
    async function* source() {
      yield batch([0n, 1n]);
      yield batch([2n, 1n, 7n]);
    }
    const error = await lastValueFrom(fromBatches(source()).pipe(crossEntropy(), reduce('mean'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LossError);
    const e = error as LossError;
    expect([e.code, e.batch, e.row, e.column]).toEqual(['TARGET_OUT_OF_RANGE', 1, 2, 'label']);
    expect(e.message).toMatch(/crossEntropy.*7.*column 'label'.*batch 1.*row 2/);
  });
});

describe('per-row output', () => {
  it('writes per-row losses with key columns that equal the core unreduced loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-rx-'));
    const out = join(dir, 'losses.arrows');
    const writer = writeIpcStream(out);
    await lastValueFrom(
      fromFile(fixture('epoch-log.arrows')).pipe(
        crossEntropy({ perRow: true }),
        perRowBatches(['epoch', 'step']),
        concatMap((b) => writer.write(b)),
        toArray(),
      ),
    );
    await writer.close();
    const written: RecordBatch[] = [];
    for await (const b of readBatches(out)) written.push(b);
    const steps = written.flatMap((b) => Array.from(b.getChild('step')!.toArray() as BigInt64Array, Number));
    expect(steps).toEqual(Array.from({ length: 148 }, (_, i) => i));
    const losses = written.flatMap((b) => Array.from(b.getChild('loss')!.toArray() as Float32Array));
    const input = readFileSync(fixture('epoch-log.json'), 'utf8');
    const cols = (JSON.parse(input) as { columns: { logits: number[]; target: number[] } }).columns;
    const expected = coreCrossEntropy(
      { data: Float32Array.from(cols.logits), shape: [148, 5] },
      Int32Array.from(cols.target),
      { reduction: 'none' },
    );
    expect(losses).toEqual(Array.from(expected.data));
  });
});

describe('losses without input/target columns', () => {
  it('resolve only their own roles (triplets read anchor/positive/negative)', async () => {
    const D = 2;
    const item = new Field('item', new Float32(), false);
    const vec = new FixedSizeList(D, item);
    const fields = ['anchor', 'positive', 'negative'].map((n) => new Field(n, vec, false));
    const values = [
      [0, 0, 1, 1],
      [0, 1, 1, 0],
      [2, 2, 1, 1],
    ].map((v) => Float32Array.from(v));
    const children = values.map((v) =>
      makeData({ type: vec, length: 2, child: makeData({ type: new Float32(), length: 4, data: v }) }),
    );
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: 2, children }),
    );
    const got = await lastValueFrom(from([batch]).pipe(tripletMarginLoss({ margin: 1 }), reduce('sum')));
    const shape = [2, D];
    expect(got).toBe(
      coreTripletMarginLoss(
        { data: values[0]!, shape },
        { data: values[1]!, shape },
        { data: values[2]!, shape },
        { margin: 1, reduction: 'sum' },
      ),
    );
  });
});

describe('grouped errors', () => {
  it('count the row from the start of the batch, not of the group', async () => {
    const C = 2;
    const rowType = new FixedSizeList(C, new Field('item', new Float32(), false));
    const fields = [
      new Field('epoch', new Int64(), false),
      new Field('logits', rowType, false),
      new Field('target', new Int64(), false),
    ];
    const children = [
      makeData({ type: new Int64(), length: 4, data: BigInt64Array.from([0n, 0n, 1n, 1n]) }),
      makeData({
        type: rowType,
        length: 4,
        child: makeData({ type: new Float32(), length: 8, data: new Float32Array(8) }),
      }),
      makeData({ type: new Int64(), length: 4, data: BigInt64Array.from([0n, 1n, 0n, 5n]) }),
    ];
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: 4, children }),
    );
    const error = await lastValueFrom(
      from([batch]).pipe(crossEntropy({ by: 'epoch' }), reduceGroups('mean')),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LossError);
    expect([(error as LossError).row, (error as LossError).batch, (error as LossError).column]).toEqual([
      3,
      0,
      'target',
    ]);
  });
});
