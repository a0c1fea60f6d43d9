/**
 * `lossesAndMetrics(…)` and metric operators after `fromFile(path, { threads })`: losses and
 * metrics computed in one pass by worker threads give the same bits as in this thread (whose big
 * batches are computed in the workers' row ranges), for every thread count, with `by` groups; a
 * metric error in a worker names the batch, row, column and file as in this thread.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accuracy as coreAccuracy,
  calibrationError as coreCalibrationError,
  crossEntropy as coreCrossEntropy,
  f1 as coreF1,
  topKAccuracy as coreTopKAccuracy,
  LossError,
  tensor,
} from '@lossflow/core';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
} from 'apache-arrow';
import { forkJoin, from, lastValueFrom, map, type Observable, share, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accuracy } from '../metrics/operators/accuracy.js';
import { brierScore } from '../metrics/operators/brierScore.js';
import { calibrationError } from '../metrics/operators/calibrationError.js';
import { f1 } from '../metrics/operators/f1.js';
import { perplexity } from '../metrics/operators/perplexity.js';
import { r2 } from '../metrics/operators/r2.js';
import { topKAccuracy } from '../metrics/operators/topKAccuracy.js';
import { reduceMetric } from '../metrics/reduceMetric.js';
import { reduceMetricGroups } from '../metrics/reduceMetricGroups.js';
import { reduce } from '../reduce/reduce.js';
import { reduceGroups } from '../reduce/reduceGroups.js';
import { type FromFileOptions, fromFile } from '../sources/fromFile.js';
import { lossesAndMetrics } from './lossesAndMetrics.js';
import { crossEntropy } from './lossOperators.js';

// Worker threads start slowly on a busy machine.
const TIMEOUT = 240_000;
const THREADS: FromFileOptions[] = [
  { threads: 0 },
  { threads: 1 },
  { threads: 2 },
  { threads: 3 },
  { threads: 2, inThisThread: true },
];
const C = 10;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossflow-rx-pass-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * A log of float64 logits whose first batch is big (cut into row ranges by a threaded read: about
 * 16 MB) and whose later batches are small; epochs alternate row by row, so every range and batch
 * holds several keys. `nanAt` puts a NaN logit in that row.
 */
function writeLog(path: string, batchRows: readonly number[], nanAt?: number): void {
  const rowType = new FixedSizeList(C, new Field('item', new Float64(), false));
  const fields = [
    new Field('epoch', new Int32(), false),
    new Field('logits', rowType, false),
    new Field('target', new Int64(), false),
    new Field('pred', new Float64(), false),
    new Field('y', new Float64(), false),
  ];
  let seed = 777;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const batches: RecordBatch[] = [];
  let start = 0;
  for (const n of batchRows) {
    const logits = Float64Array.from({ length: n * C }, () => (random() - 0.5) * 8);
    if (nanAt !== undefined && nanAt >= start && nanAt < start + n)
      logits[(nanAt - start) * C + 3] = Number.NaN;
    const target = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(random() * C)));
    const y = Float64Array.from({ length: n }, () => random() * 100 + 1e6);
    const pred = Float64Array.from(y, (v) => v + random() - 0.5);
    const epoch = Int32Array.from({ length: n }, (_, i) =>
      (start + i) % 2 === 0 ? 0 : 1 + ((start + i) % 3),
    );
    const children = [
      makeData({ type: new Int32(), length: n, data: epoch }),
      makeData({
        type: rowType,
        length: n,
        child: makeData({ type: new Float64(), length: n * C, data: logits }),
      }),
      makeData({ type: new Int64(), length: n, data: target }),
      makeData({ type: new Float64(), length: n, data: pred }),
      makeData({ type: new Float64(), length: n, data: y }),
    ];
    batches.push(
      new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children })),
    );
    start += n;
  }
  writeFileSync(path, RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
}

/** Deep equality where numbers must be the same bits (Object.is: NaN equals NaN, 0 is not −0). */
function sameBits(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameBits(x, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => sameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/** Cross-entropy and five metrics (one of them regression) in one pass: totals and per-epoch values. */
function pass(path: string, threads: FromFileOptions) {
  const chunks = fromFile(path, threads).pipe(
    lossesAndMetrics(
      [crossEntropy({ by: 'epoch' })],
      [
        accuracy({ by: 'epoch' }),
        topKAccuracy({ k: 3, by: 'epoch' }),
        calibrationError({ by: 'epoch' }),
        brierScore({ by: 'epoch' }),
        perplexity({ by: 'epoch' }),
        r2({ input: 'pred', target: 'y', by: 'epoch' }),
      ],
    ),
    share(),
  );
  const loss = chunks.pipe(map((c) => c.losses[0]!));
  const metric = (i: number) => chunks.pipe(map((c) => c.metrics[i]!));
  return lastValueFrom(
    forkJoin({
      loss: loss.pipe(reduce('mean')),
      lossGroups: loss.pipe(reduceGroups('mean'), toArray()),
      metrics: forkJoin([0, 1, 2, 3, 4, 5].map((i) => metric(i).pipe(reduceMetric()))),
      groups: forkJoin([0, 1, 2, 3, 4, 5].map((i) => metric(i).pipe(reduceMetricGroups(), toArray()))),
      chunks: chunks.pipe(
        map((c) => c.metrics.map((m) => [m.batch, m.rows, m.groups?.map((g) => g.key)])),
        toArray(),
      ),
    }),
  );
}

describe('losses and metrics in one pass', () => {
  it(
    'give the same bits in this thread and in 1, 2 and 3 workers, totals and per epoch, big batches cut into ranges',
    async () => {
      const path = join(dir, 'pass.arrows');
      writeLog(path, [150_000, 4096, 777, 4096]);
      const results: Awaited<ReturnType<typeof pass>>[] = [];
      for (const threads of THREADS) results.push(await pass(path, threads));
      const first = results[0]!;
      expect(first.chunks.length).toBe(4);
      expect(first.groups[0]!.map((g) => g.key)).toEqual([0, 2, 1, 3]);
      expect(first.groups[0]!.reduce((n, g) => n + g.rows, 0)).toBe(150_000 + 4096 + 777 + 4096);
      for (const r of results.slice(1))
        expect(sameBits(r, first), JSON.stringify([first.metrics, r.metrics])).toBe(true);
      // The metric operators alone, and lossesAndMetrics over batches from elsewhere, agree too.
      const alone = await lastValueFrom(
        fromFile(path, { threads: 2 }).pipe(r2({ input: 'pred', target: 'y' }), reduceMetric()),
      );
      expect(Object.is(alone, first.metrics[5])).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "reports a worker's metric error with the batch, row, column and file of the in-thread path",
    async () => {
      const path = join(dir, 'nan.arrows');
      // Row 70,000 of the big first batch: in a later row range than the first.
      writeLog(path, [150_000, 100], 70_000);
      const errors: unknown[] = [];
      for (const threads of THREADS) {
        errors.push(
          await lastValueFrom(
            fromFile(path, threads).pipe(
              lossesAndMetrics([], [accuracy()]),
              map((c) => c.metrics[0]!),
              reduceMetric(),
            ),
          ).catch((e: unknown) => e),
        );
      }
      for (const e of errors) {
        expect(e).toBeInstanceOf(LossError);
        expect(e).toMatchObject({
          code: 'INVALID_VALUE',
          loss: 'accuracy',
          batch: 0,
          row: 70_000,
          column: 'logits',
          file: path,
        });
        expect((e as Error).message).toBe((errors[0] as Error).message);
      }
    },
    TIMEOUT,
  );
});

/**
 * One batch of float32 logits and int32 targets whose `epoch` key goes 0, 1, 2, 0, 1, 2, …: every
 * key has several runs and the same number of rows, so each key's rows are gathered into the same
 * buffers. Returns each key's rows as tensors, for the one-shot values of core.
 */
function writeAlternating(path: string, n: number, badTargetAt?: number) {
  const K = 3;
  let seed = 4242;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const logits = Float32Array.from({ length: n * C }, () => (random() - 0.5) * 6);
  const target = Int32Array.from({ length: n }, () => Math.floor(random() * C));
  if (badTargetAt !== undefined) target[badTargetAt] = C + 5;
  const epoch = Int32Array.from({ length: n }, (_, i) => i % K);
  const rowType = new FixedSizeList(C, new Field('item', new Float32(), false));
  const fields = [
    new Field('epoch', new Int32(), false),
    new Field('logits', rowType, false),
    new Field('target', new Int32(), false),
  ];
  const children = [
    makeData({ type: new Int32(), length: n, data: epoch }),
    makeData({
      type: rowType,
      length: n,
      child: makeData({ type: new Float32(), length: n * C, data: logits }),
    }),
    makeData({ type: new Int32(), length: n, data: target }),
  ];
  const batch = new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: n, children }),
  );
  writeFileSync(path, RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
  return Array.from({ length: K }, (_, key) => {
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % K === key);
    const x = new Float32Array(rows.length * C);
    for (const [j, r] of rows.entries()) x.set(logits.subarray(r * C, (r + 1) * C), j * C);
    return { key, x: tensor(x, [rows.length, C]), y: Int32Array.from(rows, (r) => target[r]!) };
  });
}

describe('by keys alternating within a batch', () => {
  const metrics = () => [
    accuracy({ by: 'epoch' }),
    topKAccuracy({ k: 3, by: 'epoch' }),
    calibrationError({ nBins: 5, by: 'epoch' }),
    f1({ average: 'macro', by: 'epoch' }),
  ];

  it(
    'give each key the values of its own rows, with and without a loss in the pass, in this thread and in workers',
    async () => {
      const path = join(dir, 'alternating.arrows');
      const keys = writeAlternating(path, 3 * 700);
      for (const threads of [0, 2]) {
        for (const withLoss of [true, false]) {
          const chunks = fromFile(path, { threads }).pipe(
            lossesAndMetrics(withLoss ? [crossEntropy({ by: 'epoch' })] : [], metrics()),
            share(),
          );
          const got = await lastValueFrom(
            forkJoin({
              loss: withLoss
                ? chunks.pipe(
                    map((c) => c.losses[0]!),
                    reduceGroups('mean'),
                    toArray(),
                  )
                : from([[]]),
              metrics: forkJoin(
                [0, 1, 2, 3].map((i) =>
                  chunks.pipe(
                    map((c) => c.metrics[i]!),
                    reduceMetricGroups(),
                    toArray(),
                  ),
                ),
              ),
            }),
          );
          const at = `threads ${threads}, ${withLoss ? 'with' : 'without'} a loss`;
          for (const { key, x, y } of keys) {
            const values = got.metrics.map((groups) => groups.find((g) => g.key === key)?.value);
            expect(values, at).toEqual([
              coreAccuracy(x, y),
              coreTopKAccuracy(x, y, { k: 3 }),
              coreCalibrationError(x, y, { nBins: 5 }),
              coreF1(x, y, { average: 'macro' }),
            ]);
            if (withLoss) {
              const loss = (got.loss as { key: unknown; value: number }[]).find((g) => g.key === key);
              expect(loss?.value, at).toBeCloseTo(coreCrossEntropy(x, y) as number, 12);
            }
          }
          // The keys differ, so a key given another key's numbers would show.
          expect(new Set(keys.map(({ x, y }) => coreCalibrationError(x, y, { nBins: 5 }))).size).toBe(3);
        }
      }
    },
    TIMEOUT,
  );

  it(
    'check every key’s targets: a class index out of range in a later key fails, naming its row',
    async () => {
      const path = join(dir, 'alternating-bad.arrows');
      // Row 301 is key 1's: key 0's rows, checked first, are fine.
      writeAlternating(path, 3 * 200, 301);
      for (const threads of [0, 2]) {
        const e = await lastValueFrom(
          fromFile(path, { threads }).pipe(
            lossesAndMetrics([], metrics()),
            map((c) => c.metrics[0]!),
            reduceMetric(),
          ),
        ).catch((error: unknown) => error);
        expect(e, `threads ${threads}`).toBeInstanceOf(LossError);
        expect(e).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 0, row: 301 });
      }
    },
    TIMEOUT,
  );
});

describe('lossesAndMetrics', () => {
  it('rejects an argument that is not an operator of its kind, and no operator at all', () => {
    expect(() => lossesAndMetrics([], [])).toThrow(LossError);
    expect(() => lossesAndMetrics([accuracy() as never], [])).toThrow(/losses\[0\] is not a loss operator/);
    expect(() => lossesAndMetrics([crossEntropy()], [crossEntropy() as never])).toThrow(
      /metrics\[0\] is not a metric operator/,
    );
  });

  it('runs in this thread over batches from elsewhere', async () => {
    const path = join(dir, 'small.arrows');
    writeLog(path, [100, 50]);
    const batches: Observable<RecordBatch> = fromFile(path);
    const got = await lastValueFrom(
      from(await lastValueFrom(batches.pipe(toArray()))).pipe(
        lossesAndMetrics([crossEntropy()], [accuracy()]),
        map((c) => [c.losses[0]!.rows, c.metrics[0]!.rows, c.metrics[0]!.metric]),
        toArray(),
      ),
    );
    expect(got).toEqual([
      [100, 100, 'accuracy'],
      [50, 50, 'accuracy'],
    ]);
  });
});
