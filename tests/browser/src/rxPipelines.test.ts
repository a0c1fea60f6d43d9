/**
 * The universal root of @lossflow/rx (with RxJS, its peer dependency, bundled in) bundles for the
 * browser and runs an rx pipeline — `fromBytes(blob)`, `crossEntropy`, `reduce` or `by: 'epoch'`
 * and `reduceGroups` — in headless Chromium, equal to the bit to the same pipeline in Node over the
 * same log read by `fromFile` of `@lossflow/rx/node`, in this thread and in worker threads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainingLogBatches } from '@lossflow/arrow';
import { crossEntropy, type GroupValue, reduce, reduceGroups } from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import { RecordBatchStreamWriter } from 'apache-arrow';
import { build } from 'esbuild';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inChromium } from './inChromium.js';
import { rxEpochMeansOf, rxMeanOf } from './rxPipelines.js';

const ENTRY = fileURLToPath(new URL('./rxPipelines.ts', import.meta.url));
// Several epochs, several batches per epoch, some targets ignored.
const LOG = { rows: 2000, classes: 5, epochs: 3, batchRows: 300, ignoreShare: 0.1 };

/** A float64's bits, so equal numbers compare equal to the last bit (and NaN to itself). */
function bits(x: number): string {
  return Buffer.from(new Float64Array([x]).buffer).toString('hex');
}

/** The pipelines' results with every value as its bits. */
interface Results {
  mean: string;
  epochs: { key: number | string; value: string; rows: number }[];
}

const asBits = (mean: number, epochs: GroupValue[]): Results => ({
  mean: bits(mean),
  epochs: epochs.map((g) => ({ key: g.key, value: bits(g.value), rows: g.rows })),
});

let bundled: Promise<{ code: string; inputs: string[] }> | undefined;

/** The browser bundle of the entry (built once for both tests). */
function bundle(): Promise<{ code: string; inputs: string[] }> {
  bundled ??= bundleEntry();
  return bundled;
}

async function bundleEntry(): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'lossflowRx',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

describe('the universal root of @lossflow/rx in a browser', () => {
  const bytes = RecordBatchStreamWriter.writeAll(trainingLogBatches(LOG)).toUint8Array(true);
  let dir = '';
  let file = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lossflow-browser-rx-'));
    file = join(dir, 'log.arrows');
    writeFileSync(file, bytes);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The pipelines in Node, over the file read by fromFile with `threads`. */
  async function inNode(threads: number): Promise<Results> {
    const mean = await lastValueFrom(
      fromFile(file, { threads }).pipe(crossEntropy({ ignoreIndex: -100 }), reduce('mean')),
    );
    const epochs = await lastValueFrom(
      fromFile(file, { threads }).pipe(
        crossEntropy({ ignoreIndex: -100, by: 'epoch' }),
        reduceGroups('mean'),
        toArray(),
      ),
    );
    return asBits(mean, epochs);
  }

  it('bundles with RxJS and without any node: import or the node entry', async () => {
    const { code, inputs } = await bundle();
    expect(inputs.filter((i) => i.startsWith('node:'))).toEqual([]);
    expect(code).not.toMatch(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']node:/);
    expect(inputs.some((i) => /rx[\\/]dist[\\/]index\.js$/.test(i))).toBe(true);
    expect(inputs.some((i) => /[\\/]rxjs[\\/]/.test(i))).toBe(true);
    expect(
      inputs.filter((i) =>
        /rx[\\/]dist[\\/](node|sources[\\/]fromFile|threads[\\/]lossesInWorkers)\.js$/.test(i),
      ),
    ).toEqual([]);
  });

  it('computes the mean and the per-epoch means in Chromium, equal to Node (threads 0 and 2) to the bit', async () => {
    const expected = await inNode(0);
    expect(expected.epochs.map((g) => g.key)).toEqual([0, 1, 2]);
    expect(await inNode(2)).toEqual(expected);
    expect(asBits(await rxMeanOf(new Blob([bytes])), await rxEpochMeansOf(new Blob([bytes])))).toEqual(
      expected,
    );

    const { code } = await bundle();
    await inChromium(code, 'lossflow rx', async (page, problems) => {
      const inBrowser = await page.evaluate(async (b64) => {
        const binary = atob(b64);
        const data = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
        const lib = (globalThis as unknown as { lossflowRx: typeof import('./rxPipelines.js') }).lossflowRx;
        const hex = (x: number) =>
          Array.from(new Uint8Array(new Float64Array([x]).buffer), (b) =>
            b.toString(16).padStart(2, '0'),
          ).join('');
        const mean = await lib.rxMeanOf(new Blob([data]));
        const epochs = await lib.rxEpochMeansOf(new Blob([data]).stream());
        return {
          results: {
            mean: hex(mean),
            epochs: epochs.map((g) => ({ key: g.key, value: hex(g.value), rows: g.rows })),
          },
          hasProcess: 'process' in globalThis,
        };
      }, Buffer.from(bytes).toString('base64'));
      expect(problems).toEqual([]);
      expect(inBrowser.hasProcess).toBe(false);
      expect(inBrowser.results).toEqual(expected);
    });
  });
});
