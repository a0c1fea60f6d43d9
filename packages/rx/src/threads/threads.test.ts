/**
 * `fromFile(path, { threads })`: the committed fixtures and a generated multi-batch log give the
 * same bits in this thread, with 1, 2 and 3 worker threads, and with this thread as one of 1 or 2
 * (`inThisThread`): final, grouped and running values, several losses in one pass; torch's values
 * on the fixtures, and values within 1e-12 of each other across batch sizes. A worker's loss error reaches the subscriber with the batch, row and column the
 * in-thread path reports; unsubscribing ends the workers; a pipe path is read in this thread.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossEntropy as coreCrossEntropy, LossError, tensor } from '@lossflow/core';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
} from 'apache-arrow';
import { lastValueFrom, map, type Observable, share, take, toArray, zip } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GroupValue } from '../chunks/LossChunk.js';
import { losses } from '../operators/losses.js';
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  klDiv,
  mseLoss,
  nllLoss,
  smoothL1Loss,
} from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { reduceGroups } from '../reduce/reduceGroups.js';
import { running } from '../reduce/running.js';
import { runningGroups } from '../reduce/runningGroups.js';
import { type FromFileOptions, fromFile } from '../sources/fromFile.js';

const readers = vi.hoisted(() => [] as { closed: boolean }[]);
vi.mock('@lossflow/arrow/node', async (importOriginal) => {
  const original = await importOriginal<typeof import('@lossflow/arrow/node')>();
  return {
    ...original,
    // Records every pool and whether it was closed, to check the teardown.
    mapBatchesInWorkers: (...args: Parameters<typeof original.mapBatchesInWorkers>) => {
      const reader = original.mapBatchesInWorkers(...args);
      const record = { closed: false };
      readers.push(record);
      const close = reader.close.bind(reader);
      reader.close = async () => {
        record.closed = true;
        await close();
      };
      return reader;
    },
  };
});

// Worker threads start slowly on a busy machine (turbo runs the packages' tests side by side).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const fixture = (name: string) => new URL(`../../../../fixtures/${name}`, import.meta.url).pathname;
const doc = JSON.parse(readFileSync(fixture('epoch-log.json'), 'utf8')) as {
  meta: { weight: number[]; label_smoothing: number };
  expected: Record<string, { all: { float32: number }; by_epoch: { key: number; float32: number }[] }>;
};
const closeTo = (got: number, exp: number) =>
  expect(Math.abs(got - exp)).toBeLessThanOrEqual(1e-6 + 2e-6 * Math.abs(exp));

// 0 reads and computes in this thread; 1, 2 and 3 in worker threads; with inThisThread, this
// thread is one of the 1 (then the only one) or 2.
const THREADS: FromFileOptions[] = [
  { threads: 0 },
  { threads: 1 },
  { threads: 2 },
  { threads: 3 },
  { threads: 1, inThisThread: true },
  { threads: 2, inThisThread: true },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossflow-rx-threads-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every emitted number of a pipeline, for each thread count. */
async function perThreads<T>(run: (threads: FromFileOptions) => Observable<T>): Promise<T[][]> {
  const out: T[][] = [];
  for (const threads of THREADS) out.push(await lastValueFrom(run(threads).pipe(toArray())));
  return out;
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

function expectSameBits<T>(results: T[][]): void {
  for (const r of results.slice(1))
    expect(sameBits(r, results[0]), JSON.stringify([results[0], r])).toBe(true);
}

describe.each(['epoch-log.arrows', 'epoch-log.arrow', 'epoch-log.parquet'])(
  '%s in this thread, in 1, 2 and 3 workers, and with this thread as one of 1 or 2',
  (file) => {
    it('gives the same bits and torch’s values: final, per epoch and running', async () => {
      const weighted = await perThreads((threads) =>
        fromFile(fixture(file), threads).pipe(crossEntropy(doc.meta.weight), reduce('mean')),
      );
      expectSameBits(weighted);
      closeTo(weighted[0]![0]!, doc.expected['cross-entropy-weighted']!.all.float32);

      const grouped = await perThreads((threads) =>
        fromFile(fixture(file), threads).pipe(
          crossEntropy({ labelSmoothing: doc.meta.label_smoothing, by: 'epoch' }),
          reduceGroups('mean'),
        ),
      );
      expectSameBits(grouped);
      const expected = doc.expected['cross-entropy-label-smoothing']!.by_epoch;
      expect(grouped[0]!.map((g) => g.key)).toEqual(expected.map((e) => e.key));
      for (const [i, g] of grouped[0]!.entries()) closeTo(g.value, expected[i]!.float32);

      const runningValues = await perThreads((threads) =>
        fromFile(fixture(file), threads).pipe(crossEntropy({ by: 'epoch' }), runningGroups('sum')),
      );
      expectSameBits(runningValues);
      expect(runningValues[0]!.length).toBeGreaterThan(4);
    });

    it("carries the step column's value at each batch's and each epoch's last row", async () => {
      const steps = await perThreads((threads) =>
        fromFile(fixture(file), threads).pipe(
          crossEntropy({ by: 'epoch', step: 'step' }),
          map((c) => c.steps),
        ),
      );
      expectSameBits(steps);
      const batches = await lastValueFrom(fromFile(fixture(file)).pipe(toArray()));
      expect(steps[0]!.length).toBe(batches.length);
      for (const [i, batch] of batches.entries()) {
        const step = batch.getChild('step')!;
        const epoch = batch.getChild('epoch')!;
        const lastOfEpoch: number[] = [];
        for (let r = 0; r < batch.numRows; r++)
          if (r === batch.numRows - 1 || epoch.get(r) !== epoch.get(r + 1))
            lastOfEpoch.push(Number(step.get(r)));
        expect(steps[0]![i]).toEqual({ last: Number(step.get(batch.numRows - 1)), groups: lastOfEpoch });
      }
    });

    it('reports a missing step column as MISSING_COLUMN', async () => {
      for (const threads of THREADS) {
        const error = await lastValueFrom(
          fromFile(fixture(file), threads).pipe(crossEntropy({ step: 'iteration' }), toArray()),
        ).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'MISSING_COLUMN', column: 'iteration', batch: 0 });
      }
    });

    it('a default target the columns option leaves out is MISSING_COLUMN at batch 0 whose hint names the option', async () => {
      for (const threads of THREADS) {
        const error = await lastValueFrom(
          fromFile(fixture(file), { ...threads, columns: ['logits'] }).pipe(crossEntropy(), toArray()),
        ).catch((e: unknown) => e);
        expect(error, JSON.stringify(threads)).toMatchObject({ code: 'MISSING_COLUMN', batch: 0 });
        expect((error as { hint: string }).hint).toMatch(/columns option leaves it out/);
      }
    });

    it('computes several losses in one pass, each as it would alone', async () => {
      const results = await perThreads((threads) => {
        const chunks = fromFile(fixture(file), threads).pipe(
          losses(
            crossEntropy(),
            crossEntropy({ input: 'logits', target: 'target' }),
            mseLoss({ input: 'pred', target: 'y' }),
          ),
          share(),
        );
        return zip(
          chunks.pipe(
            map((c) => c[0]!),
            reduce('mean'),
          ),
          chunks.pipe(
            map((c) => c[1]!),
            reduce('sum'),
          ),
          chunks.pipe(
            map((c) => c[2]!),
            reduce('mean'),
          ),
        );
      });
      expectSameBits(results);
      const [ce, ceSum, mse] = results[0]![0]!;
      closeTo(ce, doc.expected['cross-entropy']!.all.float32);
      closeTo(ceSum, doc.expected['cross-entropy-sum']!.all.float32);
      closeTo(mse, doc.expected.mse!.all.float32);
    });
  },
);

/** A log of `rows` rows: logits and class targets (some ignored), a regression pair, epochs spanning batches. */
function writeLog(path: string, rows: number, batchRows: number, badTargetAt?: number): void {
  const C = 7;
  const rowType = new FixedSizeList(C, new Field('item', new Float32(), false));
  const fields = [
    new Field('epoch', new Int32(), false),
    new Field('logits', rowType, false),
    new Field('target', new Int64(), false),
    new Field('pred', new Float32(), false),
    new Field('y', new Float32(), false),
  ];
  const batches: RecordBatch[] = [];
  for (let start = 0; start < rows; start += batchRows) {
    const n = Math.min(batchRows, rows - start);
    const logits = Float32Array.from({ length: n * C }, (_, i) => Math.sin((start * C + i) * 0.37) * 4);
    const target = BigInt64Array.from({ length: n }, (_, i) => {
      const r = start + i;
      if (r === badTargetAt) return 99n;
      return r % 11 === 0 ? -100n : BigInt((r * 5) % C);
    });
    const pred = Float32Array.from({ length: n }, (_, i) => Math.cos((start + i) * 0.11));
    const y = Float32Array.from({ length: n }, (_, i) => ((start + i) % 13) / 13);
    const epoch = Int32Array.from({ length: n }, (_, i) => Math.floor(((start + i) * 3) / rows));
    const children = [
      makeData({ type: new Int32(), length: n, data: epoch }),
      makeData({
        type: rowType,
        length: n,
        child: makeData({ type: new Float32(), length: n * C, data: logits }),
      }),
      makeData({ type: new Int64(), length: n, data: target }),
      makeData({ type: new Float32(), length: n, data: pred }),
      makeData({ type: new Float32(), length: n, data: y }),
    ];
    batches.push(
      new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children })),
    );
  }
  writeFileSync(path, RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
}

/** Every loss with WASM kernels, grouped by epoch, in one pass: final totals and per-epoch values. */
function allLosses(path: string, threads: FromFileOptions) {
  const chunks = fromFile(path, threads).pipe(
    losses(
      crossEntropy({ by: 'epoch', weight: [1, 2, 0.5, 1, 1, 3, 1], labelSmoothing: 0.05 }),
      nllLoss({ by: 'epoch' }),
      mseLoss({ input: 'pred', target: 'y', by: 'epoch' }),
      huberLoss({ input: 'pred', target: 'y', delta: 0.5, by: 'epoch' }),
      smoothL1Loss({ input: 'pred', target: 'y', beta: 0.25, by: 'epoch' }),
      klDiv({ input: 'pred', target: 'y', by: 'epoch' }),
      binaryCrossEntropyWithLogits({ input: 'pred', target: 'y', by: 'epoch' }),
    ),
    share(),
  );
  const each = (i: number) => chunks.pipe(map((c) => c[i]!));
  return zip(
    [0, 1, 2, 3, 4, 5, 6].map((i) =>
      zip(each(i).pipe(reduce('mean')), each(i).pipe(reduceGroups('mean'), toArray())),
    ),
  );
}

/** Class weights as a class instance whose `data` and `shape` are getters over a private field. */
class Weights {
  readonly #data: Float64Array;
  constructor(values: readonly number[]) {
    this.#data = Float64Array.from(values);
  }
  get data(): Float64Array {
    return this.#data;
  }
  get shape(): number[] {
    return [this.#data.length];
  }
}

describe('a weight given as a class instance with getters', () => {
  it('gives the same bits in this thread and in workers as the same weights given as numbers', async () => {
    const path = fixture('epoch-log.arrows');
    const mean = (threads: number, weight: unknown) =>
      lastValueFrom(fromFile(path, { threads }).pipe(crossEntropy({ weight } as never), reduce('mean')));
    const expected = await mean(0, doc.meta.weight);
    const weight = new Weights(doc.meta.weight);
    expect(await mean(0, weight)).toBe(expected);
    expect(await mean(2, weight)).toBe(expected);
    const shorthand = await lastValueFrom(
      fromFile(path, { threads: 2 }).pipe(
        crossEntropy(new Weights(doc.meta.weight) as never),
        reduce('mean'),
      ),
    );
    expect(shorthand).toBe(expected);
  });
});

describe('a file without record batches (a schema only, or one batch of no rows)', () => {
  /** The epoch log's schema with its rows left out, written as `format`. */
  async function emptyLog(format: 'arrows' | 'arrow' | 'parquet', zeroRowBatch: boolean): Promise<string> {
    const { writeIpcFile, writeIpcStream, writeParquet } = await import('@lossflow/arrow/node');
    const [first] = await lastValueFrom(fromFile(fixture('epoch-log.arrows')).pipe(take(1), toArray()));
    const none = first!.slice(0, 0);
    const path = join(dir, `empty-${zeroRowBatch ? 'batch' : 'schema'}.${format}`);
    if (format === 'parquet') {
      await writeParquet(path, [none]);
    } else {
      const out = (format === 'arrow' ? writeIpcFile : writeIpcStream)(path, none.schema);
      if (zeroRowBatch) await out.write(none);
      await out.close();
    }
    return path;
  }

  it.each([
    ['arrows', false],
    ['arrows', true],
    ['arrow', false],
    ['arrow', true],
    ['parquet', true],
  ] as const)(
    '.%s (a batch of no rows: %s) gives in workers what it gives in this thread, with and without by, whatever the columns',
    async (format, zeroRowBatch) => {
      const path = await emptyLog(format, zeroRowBatch);
      for (const by of [undefined, 'epoch']) {
        // A column the file does not have: this thread resolves columns at the first batch, so the
        // file gives no value there, never MISSING_COLUMN; neither may the workers.
        for (const target of ['target', 'no-such-column']) {
          const results = await perThreads<number | GroupValue>((threads) =>
            by === undefined
              ? fromFile(path, threads).pipe(crossEntropy({ target }), reduce('mean'))
              : fromFile(path, threads).pipe(crossEntropy({ target, by }), reduceGroups('mean')),
          );
          expect(results[0], `${by} ${target}`).toEqual(by === undefined ? [Number.NaN] : []);
          expectSameBits(results);
        }
      }
    },
  );

  it('a missing column is still MISSING_COLUMN at batch 0 in every thread setting when the file has rows', async () => {
    for (const threads of THREADS) {
      const error = await lastValueFrom(
        fromFile(fixture('epoch-log.parquet'), threads).pipe(
          crossEntropy({ target: 'no-such-column' }),
          toArray(),
        ),
      ).catch((e: unknown) => e);
      expect(error, JSON.stringify(threads)).toMatchObject({
        code: 'MISSING_COLUMN',
        column: 'no-such-column',
        batch: 0,
        file: fixture('epoch-log.parquet'),
      });
    }
  });
});

describe('a generated multi-batch log', () => {
  it('gives the same bits for every thread setting, every loss, grouped, and the running values', async () => {
    const path = join(dir, 'log.arrows');
    writeLog(path, 5000, 333);
    readers.length = 0;
    const results = await perThreads((threads) => allLosses(path, threads));
    expectSameBits(results);
    // All but threads 0 went through worker pools; 0 read in this thread.
    expect(readers.length).toBe(THREADS.length - 1);
    const runningValues = await perThreads((threads) =>
      fromFile(path, threads).pipe(mseLoss({ input: 'pred', target: 'y' }), running('mean')),
    );
    expectSameBits(runningValues);
    expect(runningValues[0]!.length).toBe(Math.ceil(5000 / 333));
  });

  it('reads a null step as NaN, never dropping or rejecting its row', async () => {
    // Two batches of 4 rows, epochs 0 0 1 1 | 1 1 2 2; steps null at the last row of epoch 0 and
    // of batch 1; pred null in row 5 (dropped with nulls: 'skip').
    const fields = [
      new Field('epoch', new Int32(), false),
      new Field('step', new Int64(), true),
      new Field('pred', new Float32(), true),
      new Field('y', new Float32(), false),
    ];
    const batch = (epochs: number[], steps: number[], stepNull: number, predNull: number) => {
      const validity = (at: number) => Uint8Array.of(0b1111 & ~(at < 0 ? 0 : 1 << at));
      const children = [
        makeData({ type: new Int32(), length: 4, data: Int32Array.from(epochs) }),
        makeData({
          type: new Int64(),
          length: 4,
          nullCount: 1,
          nullBitmap: validity(stepNull),
          data: BigInt64Array.from(steps, BigInt),
        }),
        makeData({
          type: new Float32(),
          length: 4,
          nullCount: predNull < 0 ? 0 : 1,
          nullBitmap: validity(predNull),
          data: Float32Array.of(1, 2, 3, 4),
        }),
        makeData({ type: new Float32(), length: 4, data: Float32Array.of(0, 0, 0, 0) }),
      ];
      return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 4, children }));
    };
    const path = join(dir, 'null-steps.arrows');
    writeFileSync(
      path,
      RecordBatchStreamWriter.writeAll([
        batch([0, 0, 1, 1], [10, 11, 12, 13], 1, -1),
        batch([1, 1, 2, 2], [14, 15, 16, 17], 3, 1),
      ]).toUint8Array(true),
    );
    const steps = await perThreads((threads) =>
      fromFile(path, threads).pipe(
        mseLoss({ input: 'pred', target: 'y', by: 'epoch', step: 'step', nulls: 'skip' }),
        map((c) => [c.rows, c.steps]),
      ),
    );
    expectSameBits(steps);
    expect(steps[0]).toEqual([
      [4, { last: 13, groups: [Number.NaN, 13] }],
      [3, { last: Number.NaN, groups: [14, Number.NaN] }],
    ]);
    // With nulls: 'error' (the default), a null step is no error either.
    const rows = await lastValueFrom(
      fromFile(path, { threads: 2 }).pipe(
        mseLoss({ input: 'y', target: 'y', step: 'step' }),
        map((c) => c.rows),
        toArray(),
      ),
    );
    expect(rows).toEqual([4, 4]);
  });

  it('gives values within 1e-12 relative across batch sizes', async () => {
    const values: number[][] = [];
    for (const batchRows of [64, 1000, 5000]) {
      const path = join(dir, `log-${batchRows}.arrows`);
      writeLog(path, 5000, batchRows);
      const [totals] = await lastValueFrom(allLosses(path, { threads: 2 }).pipe(toArray()));
      values.push(totals!.flatMap(([total, groups]) => [total, ...groups.map((g) => g.value)]));
    }
    for (const other of values.slice(1)) {
      for (const [i, v] of other.entries()) {
        const ref = values[0]![i]!;
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(1e-12 * Math.abs(ref));
      }
    }
  });

  it("reports a worker's loss error with the batch, row and column of the in-thread path", async () => {
    const path = join(dir, 'bad.arrows');
    writeLog(path, 2000, 128, 1500);
    const errors: unknown[] = [];
    for (const threads of THREADS) {
      errors.push(
        await lastValueFrom(fromFile(path, threads).pipe(crossEntropy(), reduce('mean'))).catch(
          (e: unknown) => e,
        ),
      );
    }
    for (const e of errors) {
      expect(e).toBeInstanceOf(LossError);
      expect(e).toMatchObject({
        code: 'TARGET_OUT_OF_RANGE',
        batch: 11,
        row: 1500 - 11 * 128,
        column: 'target',
      });
      expect((e as Error).message).toBe((errors[0] as Error).message);
    }
  });

  it('ends the workers when the subscriber unsubscribes', async () => {
    const path = join(dir, 'log.arrows');
    readers.length = 0;
    const first = await lastValueFrom(
      fromFile(path, { threads: 2 }).pipe(crossEntropy(), take(2), toArray()),
    );
    expect(first.map((c) => c.batch)).toEqual([0, 1]);
    await vi.waitFor(() => expect(readers).toEqual([{ closed: true }]));
  });
});

describe('a pipe or device path', () => {
  it('is read, and its losses computed, in this thread with threads ≥ 1, with the same values', async () => {
    const fifo = join(dir, 'log.fifo');
    execFileSync('mkfifo', [fifo]);
    // Written through a descriptor open for reading and writing, so the bytes wait in the pipe
    // however often the reader opens it; closed (the end of the stream) once reading has begun.
    const fd = openSync(fifo, 'r+');
    writeSync(fd, readFileSync(fixture('epoch-log.arrows')));
    let open = true;
    const endOfInput = () => {
      if (open) closeSync(fd);
      open = false;
    };
    readers.length = 0;
    const viaFifo = await lastValueFrom(
      fromFile(fifo, { threads: 2, onProgress: endOfInput }).pipe(
        crossEntropy({ by: 'epoch' }),
        reduceGroups('mean'),
        toArray(),
      ),
    );
    const viaFile = await lastValueFrom(
      fromFile(fixture('epoch-log.arrows')).pipe(
        crossEntropy({ by: 'epoch' }),
        reduceGroups('mean'),
        toArray(),
      ),
    );
    expect(viaFifo).toHaveLength(4);
    expect(sameBits(viaFifo, viaFile)).toBe(true);
    expect(readers.length).toBe(0);
  });
});

describe('big batches', () => {
  // 48 bytes a row of the columns allLosses reads: 200,000 rows are 3 row ranges of 87,360 rows.
  const ROWS = 200_000;
  // 0 too: this thread computes a big batch in the same row ranges, merged the same way.
  const WORKERS: FromFileOptions[] = [
    { threads: 0 },
    { threads: 1 },
    { threads: 2 },
    { threads: 4 },
    { threads: 2, inThisThread: true },
  ];

  async function perWorkers<T>(run: (threads: FromFileOptions) => Observable<T>): Promise<T[][]> {
    const out: T[][] = [];
    for (const threads of WORKERS) out.push(await lastValueFrom(run(threads).pipe(toArray())));
    return out;
  }

  it.each([ROWS, 100_000])(
    'in %i-row batches, split into row ranges, give the same bits for any thread count, and one chunk per batch',
    async (batchRows) => {
      const path = join(dir, `big-${batchRows}.arrows`);
      writeLog(path, ROWS, batchRows);
      const results = await perWorkers((threads) => allLosses(path, threads));
      expectSameBits(results);
      // Across batch sizes: within 1e-12.
      const small = join(dir, 'big-small.arrows');
      writeLog(small, ROWS, 8192);
      for (const reference of [await lastValueFrom(allLosses(small, { threads: 2 }).pipe(toArray()))]) {
        const flat = (r: typeof reference) =>
          r[0]!.flatMap(([total, groups]) => [total, ...groups.map((g) => g.value)]);
        const got = flat(results[0]!);
        for (const [i, v] of flat(reference).entries()) {
          expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-12 * Math.abs(v));
        }
      }
      // The chunks are the batches': index, rows, keys in order, steps, row shapes and float types.
      const describe = (threads: FromFileOptions) =>
        fromFile(path, threads).pipe(
          crossEntropy({ by: 'epoch', step: 'epoch' }),
          map((c) => ({
            batch: c.batch,
            rows: c.rows,
            skipped: c.skipped,
            keys: c.groups?.map((g) => g.key),
            groupRows: c.groups?.map((g) => g.state.rows),
            steps: c.steps,
            rowShapes: c.rowShapes,
            rowDtypes: c.rowDtypes,
          })),
        );
      const inThread = await lastValueFrom(describe({ threads: 0 }).pipe(toArray()));
      expect(inThread.length).toBe(ROWS / batchRows);
      for (const chunks of await perWorkers(describe)) expect(chunks).toEqual(inThread);
    },
  );

  it('give the same bits in this thread as in workers: float64 logits, keys alternating row by row', async () => {
    // 92 bytes a row: 300,000 rows (27.6 MB) are 7 ranges of 45,568 rows. Float sums depend on
    // their order, so only the same ranges merged the same way give the same bits.
    const path = join(dir, 'big-f64.arrows');
    const n = 300_000;
    const C = 10;
    const rowType = new FixedSizeList(C, new Field('item', new Float64(), false));
    const fields = [
      new Field('epoch', new Int32(), false),
      new Field('logits', rowType, false),
      new Field('target', new Int64(), false),
    ];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const target = new BigInt64Array(n);
    const logits = new Float64Array(n * C);
    for (let i = 0; i < n; i++) {
      target[i] = BigInt(Math.floor(random() * C));
      for (let c = 0; c < C; c++) logits[i * C + c] = (random() - 0.5) * 8;
    }
    const epoch = Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i >> 10 : 1000 + (i % 3)));
    const children = [
      makeData({ type: new Int32(), length: n, data: epoch }),
      makeData({
        type: rowType,
        length: n,
        child: makeData({ type: new Float64(), length: n * C, data: logits }),
      }),
      makeData({ type: new Int64(), length: n, data: target }),
    ];
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: n, children }),
    );
    writeFileSync(path, RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
    const grouped = (threads: FromFileOptions) =>
      lastValueFrom(
        fromFile(path, threads).pipe(
          crossEntropy({ by: 'epoch', labelSmoothing: 0.1, perRow: true }),
          map((c) => ({
            perRow: Array.from(c.perRow!.data.subarray(45_560, 45_580) as Float64Array),
            perRowLength: c.perRow!.data.length,
          })),
          toArray(),
        ),
      );
    const reduced = (threads: FromFileOptions) =>
      lastValueFrom(
        fromFile(path, threads).pipe(
          crossEntropy({ by: 'epoch' }),
          share(),
          (chunks) => zip(chunks.pipe(reduceGroups('mean')), chunks.pipe(reduceGroups('sum'))),
          toArray(),
        ),
      );
    const inThread = await grouped({ threads: 0 });
    expect(inThread[0]!.perRowLength).toBe(n);
    const workers = await reduced({ threads: 2 });
    expect(sameBits(await reduced({ threads: 0 }), workers)).toBe(true);
    expect(workers.length).toBeGreaterThan(100);
    // perRow is the batch's rows in order, across the first range's end.
    const rows = coreCrossEntropy(
      tensor(logits.slice(45_560 * C, 45_580 * C), [20, C]),
      Int32Array.from(target.subarray(45_560, 45_580), Number),
      { labelSmoothing: 0.1, reduction: 'none' },
    ) as { data: Float64Array };
    expect(inThread[0]!.perRow).toEqual(Array.from(rows.data));
  });

  /** One batch of `n` rows: logits List<float32> of `length(row)` values, target int64 in [0, 20). */
  function writeListLog(path: string, n: number, length: (row: number) => number): void {
    const item = new Field('item', new Float32(), false);
    const fields = [new Field('logits', new List(item), false), new Field('target', new Int64(), false)];
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + length(i);
    const logits = Float32Array.from({ length: offsets[n]! }, (_, i) => Math.sin(i * 0.61) * 4);
    const target = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7) % 20));
    const children = [
      makeData({
        type: new List(item),
        length: n,
        valueOffsets: offsets,
        child: makeData({ type: new Float32(), length: offsets[n]!, data: logits }),
      }),
      makeData({ type: new Int64(), length: n, data: target }),
    ];
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: n, children }),
    );
    writeFileSync(path, RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
  }

  it('with a variable-length list column, split into row ranges, give the same bits for any thread count', async () => {
    // 20 logits (80 bytes) + 8 a row: 100,000 rows (8.8 MB) are 3 ranges of 47,616 rows.
    const path = join(dir, 'big-list.arrows');
    writeListLog(path, 100_000, () => 20);
    const results = await perWorkers((threads) =>
      fromFile(path, threads).pipe(crossEntropy({ labelSmoothing: 0.1 }), share(), (chunks) =>
        zip(
          chunks.pipe(reduce('mean')),
          chunks.pipe(reduce('sum')),
          chunks.pipe(map((c) => ({ batch: c.batch, rows: c.rows, rowShapes: c.rowShapes }))),
        ),
      ),
    );
    expectSameBits(results);
    expect(results[0]![0]![2]).toEqual({ batch: 0, rows: 100_000, rowShapes: { logits: [20], target: [] } });
    // A batch of rows that are 20 long in its first range and 21 in the next (each range alone is
    // a tensor) is RAGGED, as the whole batch would be.
    const ragged = join(dir, 'big-list-ragged.arrows');
    writeListLog(ragged, 100_000, (row) => (row < 47_616 ? 20 : 21));
    for (const threads of WORKERS) {
      const e = await lastValueFrom(fromFile(ragged, threads).pipe(crossEntropy(), reduce('mean'))).catch(
        (error: unknown) => error,
      );
      expect(e, JSON.stringify(threads)).toMatchObject({ code: 'RAGGED', batch: 0, column: 'logits' });
    }
  });

  it("with nulls: 'skip', reports a loss error with the file's row, not the row among those kept", async () => {
    // 36 bytes a row: 2 ranges of 116,480 rows; a null row every 977 before the bad one, in each range.
    const path = join(dir, 'big-nulls.arrows');
    const n = 130_000;
    const bad = 120_003;
    const C = 7;
    const rowType = new FixedSizeList(C, new Field('item', new Float32(), false));
    const fields = [new Field('logits', rowType, true), new Field('target', new Int64(), false)];
    const valid = new Uint8Array(Math.ceil(n / 8)).fill(255);
    let nulls = 0;
    for (let i = 5; i < n; i += 977) {
      valid[i >> 3]! &= ~(1 << (i & 7));
      nulls++;
    }
    const logits = Float32Array.from({ length: n * C }, (_, i) => Math.sin(i * 0.37));
    const target = BigInt64Array.from({ length: n }, (_, i) => (i === bad ? 99n : BigInt(i % C)));
    const children = [
      makeData({
        type: rowType,
        length: n,
        nullCount: nulls,
        nullBitmap: valid,
        child: makeData({ type: new Float32(), length: n * C, data: logits }),
      }),
      makeData({ type: new Int64(), length: n, data: target }),
    ];
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: n, children }),
    );
    writeFileSync(path, RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
    for (const threads of [{ threads: 0 }, { threads: 2 }, { threads: 1, inThisThread: true }]) {
      const e = await lastValueFrom(
        fromFile(path, threads).pipe(crossEntropy({ nulls: 'skip' }), reduce('mean')),
      ).catch((error: unknown) => error);
      expect(e, JSON.stringify(threads)).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 0, row: bad });
    }
  });

  it("reports a loss error in a later row range with the batch's row, as in this thread", async () => {
    const path = join(dir, 'big-bad.arrows');
    writeLog(path, ROWS, ROWS, 150_001);
    for (const threads of WORKERS) {
      const e = await lastValueFrom(fromFile(path, threads).pipe(crossEntropy(), reduce('mean'))).catch(
        (error: unknown) => error,
      );
      expect(e).toBeInstanceOf(LossError);
      expect(e).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 0, row: 150_001, column: 'target' });
    }
  });
});
