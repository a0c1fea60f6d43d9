/**
 * The universal entries of @lossflow/core and @lossflow/arrow bundle for the browser (esbuild
 * `platform: 'browser'` fails on any `node:*` import they reach) and compute, in headless
 * Chromium, the same cross-entropy over an Arrow IPC stream given as a Blob as Node does, to the bit.
 */
import { fileURLToPath } from 'node:url';
import { trainingLogBatches } from '@lossflow/arrow';
import { RecordBatchStreamWriter } from 'apache-arrow';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { crossEntropyOfStream } from './crossEntropyOfStream.js';
import { inChromium } from './inChromium.js';

const ENTRY = fileURLToPath(new URL('./crossEntropyOfStream.ts', import.meta.url));
const LOG = { rows: 3000, classes: 7, epochs: 2, batchRows: 256, ignoreShare: 0.1 };

/** A training log as an Arrow IPC stream, in memory. */
function logStream(): Uint8Array {
  return RecordBatchStreamWriter.writeAll(trainingLogBatches(LOG)).toUint8Array(true);
}

/** A float64's bits, so equal numbers compare equal to the last bit (and NaN to itself). */
function bits(x: number): string {
  return Buffer.from(new Float64Array([x]).buffer).toString('hex');
}

async function bundle(): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'lossflowTest',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

describe('the universal entries in a browser', () => {
  it('bundle for the browser without reaching node:*, from both packages’ roots', async () => {
    const { inputs } = await bundle();
    expect(inputs.filter((i) => i.startsWith('node:'))).toEqual([]);
    expect(inputs.some((i) => /arrow[\\/]dist[\\/]platform\.web\.js$/.test(i))).toBe(true);
    expect(inputs.some((i) => /arrow[\\/]dist[\\/]platform\.node\.js$/.test(i))).toBe(false);
    expect(inputs.some((i) => /core[\\/]dist[\\/]index\.js$/.test(i))).toBe(true);
  });

  it('compute cross-entropy over an Arrow IPC stream Blob in Chromium, equal to Node to the bit', async () => {
    const bytes = logStream();
    const inNode = await crossEntropyOfStream(new Blob([bytes]));
    expect(Number.isFinite(inNode)).toBe(true);
    expect(bits(await crossEntropyOfStream(new Blob([bytes]).stream()))).toBe(bits(inNode));

    const { code } = await bundle();
    await inChromium(code, 'lossflow', async (page, problems) => {
      const base64 = Buffer.from(bytes).toString('base64');
      const inBrowser = await page.evaluate(async (b64) => {
        const binary = atob(b64);
        const data = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
        const lib = (globalThis as unknown as { lossflowTest: typeof import('./crossEntropyOfStream.js') })
          .lossflowTest;
        const fromBlob = await lib.crossEntropyOfStream(new Blob([data]));
        const fromStream = await lib.crossEntropyOfStream(new Blob([data]).stream());
        const hex = (x: number) =>
          Array.from(new Uint8Array(new Float64Array([x]).buffer), (b) =>
            b.toString(16).padStart(2, '0'),
          ).join('');
        return { blob: hex(fromBlob), stream: hex(fromStream), hasProcess: 'process' in globalThis };
      }, base64);
      expect(problems).toEqual([]);
      expect(inBrowser.hasProcess).toBe(false);
      expect(inBrowser.blob).toBe(bits(inNode));
      expect(inBrowser.stream).toBe(bits(inNode));
    });
  });
});
