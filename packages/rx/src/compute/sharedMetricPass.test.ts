/**
 * The class-index metrics of one `lossesAndMetrics` pass read each batch's scores once in all
 * (`sharedMetricPass`), and get the same values as each metric alone, in this thread and in
 * worker threads (float32 logits: the WebAssembly row pass).
 */
import { readFileSync } from 'node:fs';
import { accuracy as coreAccuracy, topKAccuracy as coreTopK, tensor } from '@lossflow/core';
import { wasmKernels } from '@lossflow/core/kernels';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { accuracy } from '../metrics/operators/accuracy.js';
import { calibrationError } from '../metrics/operators/calibrationError.js';
import { topKAccuracy } from '../metrics/operators/topKAccuracy.js';
import { reduceMetric } from '../metrics/reduceMetric.js';
import { lossesAndMetrics } from '../operators/lossesAndMetrics.js';
import { crossEntropy } from '../operators/lossOperators.js';
import { fromFile } from '../sources/fromFile.js';

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
    try {
      const { values, batches } = await pass(0);
      // One row pass per batch for accuracy, top-k and calibration error together.
      if (spy !== undefined) expect(spy).toHaveBeenCalledTimes(batches);
      expect(values[0]).toBe(coreAccuracy(x, y));
      expect(values[1]).toBe(coreTopK(x, y, { k: 2 }));
    } finally {
      spy?.mockRestore();
    }
  });

  it('gives the same bits in worker threads', async () => {
    const here = await pass(0);
    const workers = await pass(2);
    expect(workers.values).toEqual(here.values);
  }, 60_000);
});
