/**
 * A batch's group states are charged to the group budget as they are built: one batch of many
 * distinct keys fails with `TOO_MANY_GROUPS` having built no more states than the budget holds (in
 * this thread and in worker threads), and runs within the budget give the same states as without it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LossError, METRICS, type MetricState } from '@lossflow/core';
import { Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { firstValueFrom, from, lastValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { metricOperator } from '../metrics/metricOperator.js';
import { mseLoss } from '../operators/lossOperators.js';
import { GroupBudget, metricGroupBytes } from '../reduce/GroupBudget.js';
import { fromFile } from '../sources/fromFile.js';
import { BatchGroupCharge } from './BatchGroupCharge.js';

vi.setConfig({ testTimeout: 120_000 });

const CLASSES = 100;

/** One batch of `rows` rows of `CLASSES` logits, a class index and `key` = the row's key. */
function batch(rows: number, keyOf: (row: number) => number): RecordBatch {
  const logits = new FixedSizeList(CLASSES, new Field('item', new Float32(), false));
  const fields = [
    new Field('input', logits, false),
    new Field('target', new Int32(), false),
    new Field('key', new Int32(), false),
    new Field('y', new Float32(), false),
  ];
  const scores = Float32Array.from({ length: rows * CLASSES }, (_, i) => Math.sin(i));
  return new RecordBatch(
    new Schema(fields),
    makeData({
      type: new Struct(fields),
      length: rows,
      children: [
        makeData({
          type: logits,
          length: rows,
          child: makeData({ type: new Float32(), length: rows * CLASSES, data: scores }),
        }),
        makeData({
          type: new Int32(),
          length: rows,
          data: Int32Array.from({ length: rows }, (_, i) => (i * 7) % CLASSES),
        }),
        makeData({
          type: new Int32(),
          length: rows,
          data: Int32Array.from({ length: rows }, (_, i) => keyOf(i)),
        }),
        makeData({
          type: new Float32(),
          length: rows,
          data: Float32Array.from({ length: rows }, (_, i) => Math.cos(i)),
        }),
      ],
    }),
  );
}

const caught = async (p: Promise<unknown>): Promise<LossError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
};

afterEach(() => vi.restoreAllMocks());

describe('the group budget within one batch', () => {
  it.each(['confusionMatrix', 'auroc'] as const)(
    '%s: a batch of 2,000 distinct keys fails having built only the states the budget holds',
    async (metric) => {
      const memoryBytes = 8 * 1024 * 1024;
      const partial = METRICS[metric].partial;
      const built: MetricState[] = [];
      vi.spyOn(METRICS[metric], 'partial').mockImplementation((...args: Parameters<typeof partial>) => {
        const state = partial(...args);
        built.push(state);
        return state;
      });
      const operator = metricOperator(metric, {
        by: 'key',
        groupBudget: new GroupBudget({ memoryBytes, by: 'key' }),
      });
      // Creating the operator checks its options on an empty batch: only the batch's states count.
      built.length = 0;
      const error = await caught(firstValueFrom(from([batch(2000, (i) => i)]).pipe(operator)));
      expect(error.code).toBe('TOO_MANY_GROUPS');
      expect(error.batch).toBe(0);
      expect(error.column).toBe('key');
      expect(error.loss).toBe(metric);
      expect(error.row).toBe(built.length);
      const cost = metricGroupBytes(metric, built[0]!);
      const limit = Math.floor(memoryBytes / cost);
      expect(limit).toBeLessThan(100);
      expect(error.detail).toBe(
        `'key' has more than ${limit} distinct values in one batch: the budget is ${limit} groups (8 MiB of group states at ~${cost.toLocaleString('en-US')} bytes per group), and every group's state is kept until the end`,
      );
      // The states built before failing fit the budget: no state past it was built.
      expect(built).toHaveLength(limit);
      expect(built.length * cost).toBeLessThanOrEqual(memoryBytes);
    },
  );

  it('maxGroups bounds a loss the same way, and a batch within the budget gives the states it gives without one', async () => {
    const b = batch(600, (i) => i % 40);
    const error = await caught(
      firstValueFrom(
        from([b]).pipe(
          mseLoss({
            input: 'y',
            target: 'y',
            by: 'key',
            groupBudget: new GroupBudget({ maxGroups: 39 }),
          }),
        ),
      ),
    );
    expect(error.code).toBe('TOO_MANY_GROUPS');
    expect(error.detail).toContain(
      "'key' has more than 39 distinct values in one batch: the limit is 39 groups",
    );
    expect(error.row).toBe(39);
    expect(error.hint).toContain('Raise maxGroups');

    const within = await firstValueFrom(
      from([b]).pipe(
        mseLoss({
          input: 'y',
          target: 'y',
          by: 'key',
          groupBudget: new GroupBudget({ maxGroups: 40 }),
        }),
      ),
    );
    const without = await firstValueFrom(from([b]).pipe(mseLoss({ input: 'y', target: 'y', by: 'key' })));
    expect(within.groups).toEqual(without.groups);
    expect(within.state).toEqual(without.state);

    const metricWithin = await firstValueFrom(
      from([b]).pipe(metricOperator('confusionMatrix', { by: 'key', groupBudget: new GroupBudget() })),
    );
    const metricWithout = await firstValueFrom(
      from([b]).pipe(metricOperator('confusionMatrix', { by: 'key' })),
    );
    expect(metricWithin.groups).toEqual(metricWithout.groups);
  });

  it('charges every loss and metric of a batch together: the second stream stops where both together reach the budget', () => {
    const charge = new BatchGroupCharge();
    const limits = { maxGroups: undefined, memoryBytes: 1024 * 1024, by: 'user', hint: 'Raise it.' };
    const first = charge.stream(limits, 'mseLoss', 'user', () => 100_000);
    for (let k = 0; k < 6; k++) {
      first.before(k, k);
      first.after({});
    }
    const second = charge.stream(limits, 'mseLoss', 'user', () => 100_000);
    for (let k = 0; k < 4; k++) {
      second.before(k, k);
      second.after({});
    }
    let error: unknown;
    try {
      second.before(4, 9);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LossError);
    expect((error as LossError).detail).toBe(
      "'user' has more than 5 distinct values in one batch: the budget is 5 groups (1 MiB of group states at ~200,000 bytes per group), and every group's state is kept until the end",
    );
    expect((error as LossError).hint).toBe('Raise it.');
    expect((error as LossError).row).toBe(9);
  });

  describe('in worker threads', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lossflow-rx-batch-budget-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('a worker fails the batch past the budget, with the same error as this thread', async () => {
      const { writeIpcStream } = await import('@lossflow/arrow/node');
      const path = join(dir, 'keys.arrows');
      const b = batch(3000, (i) => i);
      const out = writeIpcStream(path, b.schema);
      await out.write(b);
      await out.close();
      const errors: LossError[] = [];
      for (const threads of [0, 2]) {
        errors.push(
          await caught(
            lastValueFrom(
              fromFile(path, { threads }).pipe(
                metricOperator('auroc', {
                  by: 'key',
                  groupBudget: new GroupBudget({ memoryBytes: 16 * 1024 * 1024 }),
                }),
              ),
            ),
          ),
        );
      }
      for (const e of errors) {
        expect(e.code).toBe('TOO_MANY_GROUPS');
        expect(e.detail).toMatch(/^'key' has more than \d+ distinct values in one batch: the budget is/);
        expect(e.batch).toBe(0);
      }
      expect(errors[1]!.message).toBe(errors[0]!.message);
    });
  });
});
