import { LossError, mseLoss } from '@lossflow/core';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { LossChunk } from '../chunks/LossChunk.js';
import { mseChunk } from '../testing/chunks.js';
import { reduce } from './reduce.js';
import { reduceGroups } from './reduceGroups.js';
import { running } from './running.js';
import { runningGroups } from './runningGroups.js';

const a = mseChunk(0, [1, 2], [0, 0], [0, 0]);
const b = mseChunk(1, [3, 4, 5], [1, 1, 1], [0, 1, 1]);
const c = mseChunk(2, [0.5], [2], [1]);

// Reference values computed over all rows at once.
const allPred = [1, 2, 3, 4, 5, 0.5];
const allY = [0, 0, 1, 1, 1, 2];
const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('reduce', () => {
  it('emits the one-shot value once, on completion', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('-a-b-c|', { a, b, c });
      expectObservable(src.pipe(reduce('mean'))).toBe('------(v|)', { v: mseLoss(allPred, allY) });
      expectObservable(src.pipe(reduce('sum'))).toBe('------(v|)', {
        v: mseLoss(allPred, allY, { reduction: 'sum' }),
      });
    });
  });
  it('emits nothing after an error: a failed stream has no final value', () => {
    const err = new LossError('TARGET_OUT_OF_RANGE', 'target 7 is out of bounds', { batch: 1 });
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', { a }, err).pipe(reduce('mean'))).toBe('---#', undefined, err);
    });
  });
  it('gives NaN for the mean of an empty stream, as torch does', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<LossChunk>('--|').pipe(reduce('mean'))).toBe('--(v|)', { v: Number.NaN });
    });
  });
});

describe('running', () => {
  it('emits the running value after every batch', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c|', { a, b, c }).pipe(running('mean'))).toBe('-x-y-z|', {
        x: mseLoss(allPred.slice(0, 2), allY.slice(0, 2)),
        y: mseLoss(allPred.slice(0, 5), allY.slice(0, 5)),
        z: mseLoss(allPred, allY),
      });
    });
  });
  it('keeps an accumulator per subscription', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const pipeline = cold('-a|', { a }).pipe(running('sum'));
      const v = mseLoss([1, 2], [0, 0], { reduction: 'sum' });
      expectObservable(pipeline).toBe('-v|', { v });
      expectObservable(pipeline).toBe('-v|', { v });
    });
  });
  it('propagates errors', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', { a }).pipe(running('mean'))).toBe('-x-#', {
        x: mseLoss([1, 2], [0, 0]),
      });
    });
  });
});

describe('grouped reductions', () => {
  // Group 0 = rows 0..2 (batches a and b), group 1 = rows 3..5 (batches b and c).
  const g0 = { key: 0, value: mseLoss(allPred.slice(0, 3), allY.slice(0, 3)), rows: 3 };
  const g1 = { key: 1, value: mseLoss(allPred.slice(3), allY.slice(3)), rows: 3 };

  it('reduceGroups emits each key once on completion, exact across batch boundaries', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c|', { a, b, c }).pipe(reduceGroups('mean'))).toBe('------(xy|)', {
        x: g0,
        y: g1,
      });
    });
  });
  it('runningGroups emits every group a batch touched', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b---c|', { a, b, c }).pipe(runningGroups('mean'))).toBe('-p-(qr)s|', {
        p: { key: 0, value: mseLoss([1, 2], [0, 0]), rows: 2 },
        q: g0,
        r: { key: 1, value: mseLoss([4, 5], [1, 1]), rows: 2 },
        s: g1,
      });
    });
  });
  it('errors when the loss operator did not group', () => {
    const ungrouped = mseChunk(0, [1], [0]);
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a: ungrouped }).pipe(reduceGroups('mean'))).toBe(
        '-#',
        undefined,
        expect.any(LossError) as unknown as LossError,
      );
    });
  });
});

describe('reduce with states that cannot merge', () => {
  it('errors instead of throwing out of next, and emits no final value', () => {
    const other = { ...a, loss: 'crossEntropy', state: { ...a.state, loss: 'crossEntropy' } };
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c|', { a, b: other, c }).pipe(reduce('mean'))).toBe(
        '---#',
        undefined,
        expect.any(LossError) as unknown as LossError,
      );
    });
  });
  it("gives NaN for 'batchmean' of an empty stream", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<LossChunk>('-|').pipe(reduce('batchmean'))).toBe('-(v|)', { v: Number.NaN });
    });
  });
});
