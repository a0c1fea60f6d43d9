/**
 * The metric operators over the committed epoch log (fixtures/epoch-log.*, batches of 16 rows that
 * span epochs) and over hand-made batches: reduceMetric equals the core one-shot value over all
 * rows (bit-identical for the count metrics), reduceMetricGroups equals it per epoch, and errors
 * name the batch, the batch's row and the column.
 */
import { readFileSync } from 'node:fs';
import {
  finalizeMetric,
  LossError,
  METRICS,
  type MetricName,
  type MetricValue,
  tensor,
} from '@lossflow/core';
import { Field, FixedSizeList, Float32, Int64, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { EMPTY, from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromFile } from '../sources/fromFile.js';
import { metricOperator } from './metricOperator.js';
import { accuracy } from './operators/accuracy.js';
import { topKAccuracy } from './operators/topKAccuracy.js';
import { reduceMetric } from './reduceMetric.js';
import { reduceMetricGroups } from './reduceMetricGroups.js';
import { reduceMetricState } from './reduceMetricState.js';

const fixture = (name: string) => new URL(`../../../../fixtures/${name}`, import.meta.url).pathname;
const log = JSON.parse(readFileSync(fixture('epoch-log.json'), 'utf8')) as {
  meta: { classes: number };
  columns: { epoch: number[]; logits: number[]; target: number[]; pred: number[]; y: number[] };
};
const C = log.meta.classes;
const N = log.columns.epoch.length;

/** The log's rows (all, or one epoch's) as float32 tensors, as the file stores them. */
function rowsOf(epoch?: number) {
  const keep = log.columns.epoch
    .map((e, i) => (epoch === undefined || e === epoch ? i : -1))
    .filter((i) => i >= 0);
  return {
    logits: tensor(Float32Array.from(keep.flatMap((i) => log.columns.logits.slice(i * C, (i + 1) * C))), [
      keep.length,
      C,
    ]),
    target: tensor(Int32Array.from(keep.map((i) => log.columns.target[i]!)), [keep.length]),
    pred: tensor(Float32Array.from(keep.map((i) => log.columns.pred[i]!)), [keep.length]),
    y: tensor(Float32Array.from(keep.map((i) => log.columns.y[i]!)), [keep.length]),
  };
}

const CLASSIFICATION: [MetricName, Record<string, unknown>, boolean][] = [
  ['accuracy', {}, true],
  ['topKAccuracy', { k: 2 }, true],
  ['precision', { average: 'macro' }, true],
  ['recall', { average: 'none' }, true],
  ['f1', { average: 'weighted' }, true],
  ['confusionMatrix', {}, true],
  ['auroc', { thresholds: 50 }, true],
  ['calibrationError', { nBins: 10 }, false],
  ['brierScore', {}, false],
  ['perplexity', {}, false],
];
const REGRESSION: MetricName[] = ['mae', 'rmse', 'r2', 'pearson'];

function expectValue(got: MetricValue, want: MetricValue, exact: boolean): void {
  if (exact || typeof want !== 'number') expect(got).toEqual(want);
  else expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want)));
}

describe.each(['epoch-log.arrows', 'epoch-log.arrow'])('%s', (file) => {
  it('reduceMetric equals the core one-shot value over all rows', async () => {
    const all = rowsOf();
    expect(all.target.data.length).toBe(N);
    for (const [name, options, exact] of CLASSIFICATION) {
      const got = await lastValueFrom(
        fromFile(fixture(file)).pipe(
          metricOperator(name, { ...options, input: 'logits', target: 'target' }),
          reduceMetric(),
        ),
      );
      expectValue(got, METRICS[name].value(METRICS[name].partial(all.logits, all.target, options)), exact);
    }
    for (const name of REGRESSION) {
      const got = await lastValueFrom(
        fromFile(fixture(file)).pipe(metricOperator(name, { input: 'pred', target: 'y' }), reduceMetric()),
      );
      expect(got as number).toBeCloseTo(
        METRICS[name].value(METRICS[name].partial(all.pred, all.y)) as number,
        12,
      );
    }
  });

  it('reduceMetricGroups equals the core value of each epoch, though batches span epochs', async () => {
    for (const [name, options, exact] of CLASSIFICATION) {
      const groups = await lastValueFrom(
        fromFile(fixture(file)).pipe(
          metricOperator(name, { ...options, input: 'logits', target: 'target', by: 'epoch' }),
          reduceMetricGroups(),
          toArray(),
        ),
      );
      expect(groups.map((g) => g.key)).toEqual([0, 1, 2, 3]);
      for (const g of groups) {
        const e = rowsOf(g.key as number);
        expect(g.rows).toBe(e.target.data.length);
        expectValue(g.value, METRICS[name].value(METRICS[name].partial(e.logits, e.target, options)), exact);
      }
    }
  });
});

const rowType = new FixedSizeList(3, new Field('item', new Float32(), false));
const schema = new Schema([new Field('logits', rowType, false), new Field('label', new Int64(), false)]);
function batch(logits: number[], targets: bigint[]): RecordBatch {
  return new RecordBatch(
    schema,
    makeData({
      type: new Struct(schema.fields),
      length: targets.length,
      children: [
        makeData({
          type: rowType,
          length: targets.length,
          child: makeData({ type: new Float32(), length: logits.length, data: Float32Array.from(logits) }),
        }),
        makeData({ type: new Int64(), length: targets.length, data: BigInt64Array.from(targets) }),
      ],
    }),
  );
}

async function failure(p: Promise<unknown>): Promise<LossError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LossError);
    return e as LossError;
  }
  throw new Error('expected a LossError');
}

describe('metric operators', () => {
  it('auto-detect logits/label columns and merge batches exactly', async () => {
    const batches = [batch([1, 2, 3, 3, 2, 1], [2n, 1n]), batch([0, 0, 1], [2n])];
    expect(await lastValueFrom(from(batches).pipe(accuracy(), reduceMetric()))).toBe(2 / 3);
    expect(await lastValueFrom(from(batches).pipe(topKAccuracy({ k: 2 }), reduceMetric()))).toBe(1);
  });

  it('reduceMetricState emits the merged state reduceMetric finalizes, undefined for no batch', async () => {
    const batches = [batch([1, 2, 3, 3, 2, 1], [2n, 1n]), batch([0, 0, 1], [2n])];
    const state = await lastValueFrom(from(batches).pipe(accuracy(), reduceMetricState()));
    expect(state?.rows).toBe(3);
    expect(finalizeMetric(state!)).toBe(2 / 3);
    expect(await lastValueFrom(EMPTY.pipe(reduceMetricState()))).toBeUndefined();
    expect(await lastValueFrom(EMPTY.pipe(reduceMetric()))).toBeNaN();
  });

  it('a batch of another class count fails naming it and the batch that fixed the count', async () => {
    const four = new FixedSizeList(4, new Field('item', new Float32(), false));
    const wide = new Schema([new Field('logits', four, false), new Field('label', new Int64(), false)]);
    const other = new RecordBatch(
      wide,
      makeData({
        type: new Struct(wide.fields),
        length: 1,
        children: [
          makeData({
            type: four,
            length: 1,
            child: makeData({ type: new Float32(), length: 4, data: new Float32Array(4) }),
          }),
          makeData({ type: new Int64(), length: 1, data: BigInt64Array.from([2n]) }),
        ],
      }),
    );
    const batches = [batch([1, 2, 3], [2n]), batch([0, 0, 1], [2n]), other];
    const errors = [
      await failure(lastValueFrom(from(batches).pipe(accuracy(), reduceMetric()))),
      await failure(lastValueFrom(from(batches).pipe(accuracy({ by: 'label' }), reduceMetricGroups()))),
    ];
    for (const e of errors)
      expect([e.code, e.batch, e.firstBatch, e.loss]).toEqual(['STATE_MISMATCH', 2, 0, 'accuracy']);
  });

  it('a NaN score names the batch, the row in the batch and the column', async () => {
    const batches = [batch([1, 2, 3], [2n]), batch([0, 0, 1, 0, Number.NaN, 1], [2n, 0n])];
    const e = await failure(lastValueFrom(from(batches).pipe(accuracy(), reduceMetric())));
    expect([e.code, e.batch, e.row, e.column, e.loss]).toEqual(['INVALID_VALUE', 1, 1, 'logits', 'accuracy']);
  });

  it('a class index out of range names the batch, the row and the column', async () => {
    const e = await failure(
      lastValueFrom(from([batch([1, 2, 3, 0, 0, 0], [0n, 5n])]).pipe(accuracy(), reduceMetric())),
    );
    expect([e.code, e.batch, e.row, e.column]).toEqual(['TARGET_OUT_OF_RANGE', 0, 1, 'label']);
  });

  it('rejects unknown options and invalid option values when created', () => {
    expect(() => accuracy({ treshold: 0.5 } as never)).toThrow(/treshold/);
    expect(() => topKAccuracy({ k: 0 })).toThrow(LossError);
    expect(() => metricOperator('f1', { average: 'samples' })).toThrow(/average/);
  });

  it('checks a per-class weight against the first batch, not when created', async () => {
    const op = metricOperator('perplexity', { weight: [1, 2, 0.5] });
    const batches = [batch([1, 2, 3, 3, 2, 1], [2n, 1n])];
    const want = METRICS.perplexity.value(
      METRICS.perplexity.partial(tensor(Float32Array.from([1, 2, 3, 3, 2, 1]), [2, 3]), [2, 1], {
        weight: [1, 2, 0.5],
      }),
    );
    expect(await lastValueFrom(from(batches).pipe(op, reduceMetric()))).toBe(want);
    const e = await failure(
      lastValueFrom(from(batches).pipe(metricOperator('perplexity', { weight: [1, 2] }), reduceMetric())),
    );
    expect([e.code, e.batch]).toEqual(['SHAPE_MISMATCH', 0]);
  });

  it('an empty stream reduces to NaN; grouped reduction needs by', async () => {
    expect(await lastValueFrom(from([] as RecordBatch[]).pipe(accuracy(), reduceMetric()))).toBeNaN();
    const e = await failure(
      lastValueFrom(from([batch([1, 2, 3], [2n])]).pipe(accuracy(), reduceMetricGroups())),
    );
    expect(e.code).toBe('INVALID_OPTION');
  });
});
