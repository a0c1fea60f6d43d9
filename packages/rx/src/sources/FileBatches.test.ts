/**
 * Threads are never dropped quietly: `fromFile(path, { threads ≥ 1 })` piped into anything that
 * cannot run in worker threads is a `THREADS_UNAVAILABLE` error saying why, at pipe() (or, with no
 * loss operator at all, at subscribe) time; with `threads: 0` the same pipelines run here.
 */
import { readFileSync } from 'node:fs';
import {
  mseLoss as coreMse,
  cosineDistance,
  LossError,
  type MseLossOptions,
  mseLossPartial,
  type Tensor,
} from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import { lastValueFrom, map, type Observable, share, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { losses } from '../operators/losses.js';
import { lossOperator } from '../operators/lossOperator.js';
import { crossEntropy, l1Loss, mseLoss, tripletMarginWithDistanceLoss } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { lossSpec } from '../specs/lossSpec.js';
import { workerPlanOf } from '../threads/workerPlan.js';
import { FileBatches } from './FileBatches.js';
import { fromFile } from './fromFile.js';

const path = new URL('../../../../fixtures/epoch-log.arrows', import.meta.url).pathname;

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
}

const custom = () =>
  // The core's own forms, wrapped: the same loss, but not the registry's spec.
  lossOperator(
    lossSpec<MseLossOptions>(
      'myMse',
      ['input', 'target'],
      (x: Tensor, y: Tensor, o?: MseLossOptions) => coreMse(x, y, o),
      mseLossPartial,
    ),
    { input: 'logits', target: 'logits' } as MseLossOptions,
  );

/** The registry's MSE spec, as any loss operator exposes it (its WORKER_PLAN), with L1's forms swapped in. */
const mseSpecWithL1Forms = () => {
  const mse = workerPlanOf(mseLoss())!.plans[0]!.spec;
  const l1 = workerPlanOf(l1Loss())!.plans[0]!.spec;
  return { ...mse, partial: l1.partial, none: l1.none };
};
const columns = { input: 'logits', target: 'logits' } as MseLossOptions;

describe('fromFile(path, { threads })', () => {
  it('is a FileBatches whose loss operators carry their plan', () => {
    expect(fromFile(path, { threads: 2 })).toBeInstanceOf(FileBatches);
    expect(workerPlanOf(crossEntropy())?.plans.map((p) => p.spec.name)).toEqual(['crossEntropy']);
    expect(workerPlanOf(losses(crossEntropy(), mseLoss()))?.kind).toBe('losses');
    expect(workerPlanOf(share())).toBeUndefined();
  });

  it.each([
    ['share()', () => share()],
    ['take(1)', () => take(1)],
    ['map(…)', () => map((b: unknown) => b)],
  ])('with %s first is THREADS_UNAVAILABLE at pipe(), naming the file', (_, op) => {
    const e = thrown(() => fromFile(path, { threads: 2 }).pipe(op() as never));
    expect(e.code).toBe('THREADS_UNAVAILABLE');
    expect(e.file).toBe(path);
    expect(e.message).toContain('not a loss operator');
    expect(e.hint).toContain('threads: 0');
  });

  it.each([
    ['perRow', () => crossEntropy({ perRow: true }), 'crossEntropy', 'perRow'],
    ['perRow in losses(…)', () => losses(crossEntropy(), mseLoss({ perRow: true })), 'mseLoss', 'perRow'],
    [
      'a function as an option',
      () => tripletMarginWithDistanceLoss({ distanceFunction: cosineDistance }),
      'tripletMarginWithDistanceLoss',
      'distanceFunction',
    ],
    ['a custom spec', custom, 'myMse', undefined],
    // A copy of the registry's spec named mseLoss: a worker would rebuild MSE from the name.
    [
      'a copy of a registry spec with other forms',
      () => lossOperator(mseSpecWithL1Forms(), columns),
      'mseLoss',
      undefined,
    ],
    [
      "a spec built from the core's own forms in another role order",
      () =>
        lossOperator(
          lossSpec<MseLossOptions>('mseLoss', ['target', 'input'], coreMse, mseLossPartial),
          columns,
        ),
      'mseLoss',
      undefined,
    ],
  ])('with %s is THREADS_UNAVAILABLE at pipe(), naming the loss and option', (_, op, loss, argument) => {
    const e = thrown(() => fromFile(path, { threads: 1 }).pipe(op() as never, reduce('mean')));
    expect(e).toMatchObject({ code: 'THREADS_UNAVAILABLE', loss, argument, file: path });
    expect(e.hint).toContain('threads: 0');
  });

  it('hints to leave a function option out (a distance cannot be given as data)', () => {
    const e = thrown(() =>
      fromFile(path, { threads: 2 }).pipe(
        tripletMarginWithDistanceLoss({ distanceFunction: cosineDistance }) as never,
      ),
    );
    expect(e.hint).toBe(
      'Leave distanceFunction out (its default runs in workers; a function cannot be sent to a thread), or pass threads: 0 to read and compute in this thread.',
    );
  });

  it('computes a copied registry spec with other forms by those forms, in this thread', async () => {
    const mean = (op: (s: Observable<RecordBatch>) => Observable<never>) =>
      lastValueFrom(fromFile(path, { threads: 0 }).pipe(op, reduce('mean')));
    const copied = await mean(lossOperator(mseSpecWithL1Forms(), columns) as never);
    expect(copied).toBe(await mean(l1Loss({ input: 'logits', target: 'logits' }) as never));
  });

  it('subscribed to without a loss operator (or the operator applied by hand) errors the stream', async () => {
    for (const batches of [
      fromFile(path, { threads: 2 }),
      crossEntropy()(fromFile(path, { threads: 2 })) as Observable<unknown>,
    ]) {
      const e = await lastValueFrom(batches).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LossError);
      expect(e).toMatchObject({ code: 'THREADS_UNAVAILABLE', file: path });
      expect((e as LossError).hint).toContain('threads: 0');
    }
  });

  it('over bytes rather than a path is THREADS_UNAVAILABLE when called', () => {
    const e = thrown(() => fromFile(readFileSync(path), { threads: 2 }));
    expect(e).toMatchObject({ code: 'THREADS_UNAVAILABLE', argument: 'threads' });
  });

  it('with threads: 0 runs all of these in this thread', async () => {
    const batches = await lastValueFrom(fromFile(path, { threads: 0 }).pipe(toArray()));
    expect(batches.length).toBeGreaterThan(1);
    const first = await lastValueFrom(
      fromFile(path).pipe(take(1), crossEntropy({ perRow: true }), toArray()),
    );
    expect(first).toHaveLength(1);
    expect(first[0]!.perRow).toBeDefined();
    const value = await lastValueFrom(fromFile(path, { threads: 0 }).pipe(custom(), reduce('mean')));
    expect(Number.isFinite(value)).toBe(true);
  });
});
