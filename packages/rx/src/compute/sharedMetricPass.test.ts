/**
 * The class-index metrics of one `lossesAndMetrics` pass read each batch's scores once in all
 * (`sharedMetricPass`), and get the same values as each metric alone, in this thread and in
 * worker threads (float32 logits: the WebAssembly row pass).
 */
import { readFileSync } from 'node:fs';
import { accuracy as coreAccuracy, topKAccuracy as coreTopK, tensor } from '@lossflow/core';
import { wasmKernels } from '@lossflow/core/kernels';
import type { RecordBatch } from 'apache-arrow';
import { from, lastValueFrom, map, type OperatorFunction, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import type { LossChunk } from '../chunks/LossChunk.js';
import { accuracy } from '../metrics/operators/accuracy.js';
import { calibrationError } from '../metrics/operators/calibrationError.js';
import { topKAccuracy } from '../metrics/operators/topKAccuracy.js';
import { reduceMetric } from '../metrics/reduceMetric.js';
import { lossesAndMetrics } from '../operators/lossesAndMetrics.js';
import { crossEntropy } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { fromFile } from '../sources/fromFile.js';
import type { PassChunks } from '../threads/workerPlan.js';

const fixture = (name: string) => new URL(`../../../../fixtures/${name}`, import.meta.url).pathname;
const log = JSON.parse(readFileSync(fixture('epoch-log.json'), 'utf8')) as {
  meta: { classes: number };
  columns: { logits: number[]; target: number[] };
};
const C = log.meta.classes;
const x = tensor(Float32Array.from(log.columns.logits), [log.columns.target.length, C]);
const y = Int32Array.from(log.columns.target);

async function pass(threads: number): Promise<{ values: unknown[]; batches: number }> {
  const chunks = await lastValueFrom(
    fromFile(fixture('epoch-log.arrows'), { threads }).pipe(
      lossesAndMetrics([crossEntropy()], [accuracy(), topKAccuracy({ k: 2 }), calibrationError()]),
      toArray(),
    ),
  );
  const values: unknown[] = [];
  for (const i of [0, 1, 2])
    values.push(
      await lastValueFrom(
        from(chunks).pipe(
          map((c) => c.metrics[i]!),
          reduceMetric(),
        ),
      ),
    );
  return { values, batches: chunks.length };
}

describe('sharedMetricPass', () => {
  it('computes the row numbers once per batch for all the metrics of a pass, values as alone', async () => {
    const kernels = wasmKernels();
    const spy = kernels === null ? undefined : vi.spyOn(kernels, 'classRowStats');
    const fused = kernels === null ? undefined : vi.spyOn(kernels, 'crossEntropyIndexWithStats');
    try {
      const { values, batches } = await pass(0);
      // One row pass per batch for cross-entropy, accuracy, top-k and calibration error together:
      // the loss's, which computes the metrics' numbers too.
      if (spy !== undefined) expect(spy).toHaveBeenCalledTimes(0);
      if (fused !== undefined) expect(fused).toHaveBeenCalledTimes(batches);
      // …and sums accuracy, top-2 and the 15 calibration bins there (the tally's nBins and k).
      const stats = fused?.mock.calls[0]?.[11];
      if (stats !== undefined) expect(Array.from(stats.tally!.values.subarray(0, 2))).toEqual([15, 2]);
      expect(values[0]).toBe(coreAccuracy(x, y));
      expect(values[1]).toBe(coreTopK(x, y, { k: 2 }));
    } finally {
      spy?.mockRestore();
      fused?.mockRestore();
    }
  });

  it('gives the loss and the metrics the same bits fused as apart, with any cross-entropy options', async () => {
    const metrics = () => [accuracy(), topKAccuracy({ k: 2 }), calibrationError({ nBins: 7 })];
    const lossOf = async (chunks: PassChunks[]) =>
      lastValueFrom(
        from(chunks).pipe(
          map((c) => c.losses[0]!),
          reduce(),
        ),
      );
    const metricsOf = async (chunks: PassChunks[], first: number) =>
      Promise.all(
        [0, 1, 2].map((i) =>
          lastValueFrom(
            from(chunks).pipe(
              map((c) => c.metrics[first + i]!),
              reduceMetric(),
            ),
          ),
        ),
      );
    const run = (threads: number, losses: OperatorFunction<RecordBatch, LossChunk>[], withMetrics: boolean) =>
      lastValueFrom(
        fromFile(fixture('epoch-log.arrows'), { threads }).pipe(
          lossesAndMetrics(losses, withMetrics ? metrics() : []),
          toArray(),
        ),
      );
    for (const options of [
      {},
      { weight: [0.5, 1, 2, 1.5, 0.25], labelSmoothing: 0.1, ignoreIndex: -100 },
      { labelSmoothing: 0.3, weight: [1, 3, 1, 1, 2] },
    ]) {
      const lossAlone = await lossOf(await run(0, [crossEntropy(options)], false));
      const metricsAlone = await metricsOf(await run(0, [], true), 0);
      for (const threads of [0, 2]) {
        const together = await run(threads, [crossEntropy(options)], true);
        expect(
          Object.is(await lossOf(together), lossAlone),
          `${JSON.stringify(options)}, threads ${threads}`,
        ).toBe(true);
        expect(await metricsOf(together, 0)).toEqual(metricsAlone);
      }
    }
  }, 60_000);

  it('gives the same bits in worker threads', async () => {
    const here = await pass(0);
    const workers = await pass(2);
    expect(workers.values).toEqual(here.values);
  }, 60_000);
});
