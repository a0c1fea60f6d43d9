/**
 * The page's workers take an IPC stream in regions (spans) of consecutive batches, each read by
 * its worker through a stream of its own into a reused window: a stream of 16,384-row batches in
 * more regions than workers, batches whose row ranges straddle region ends, big batches whose row
 * ranges read far-apart parts of the file (segments read side by side), and regions longer than
 * a worker's window (plans straddle its end) all give the CLI's JSON to the bit, with 2 and 3
 * workers.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanBytes } from '../src/ReadRegion.js';
import { WINDOW_BYTES } from '../src/SpanReader.js';
import { cli, downloaded, type PageHarness, runFiles, startHarness } from './pageHarness.js';

let dir: string;
let harness: PageHarness;

/** The CLI's JSON without the files' paths (the page knows only their names). */
function values(json: string): unknown {
  const doc = JSON.parse(json) as { files?: { path: string; bytes: number }[] };
  return { ...doc, files: doc.files?.map((f) => ({ bytes: f.bytes })) };
}

/** A generated log of `rows` rows over two epochs of 100 classes, in batches of `batchRows`. */
function generate(name: string, rows: number, batchRows: number): string {
  const out = join(dir, name);
  cli(
    ['generate', '--rows', String(rows), '--classes', '100', '--epochs', '2'].concat([
      '--batch-rows',
      String(batchRows),
      '--out',
      out,
      '-q',
    ]),
  );
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-web-regions-'));
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe('regions of an IPC stream', () => {
  it.each([
    // 16,384 rows of 100 float32 logits: 6.9 MB a batch, two row ranges each; five regions or more.
    ['batches of 16,384 rows', 'b16384.arrows', 40_000, 16_384],
    // 24,000 rows (9.6 MB): three row ranges a batch, two to a region, so a batch's ranges straddle regions.
    ['row ranges straddling regions', 'b24000.arrows', 36_000, 24_000],
    // 60,000 rows (24 MB): a region's ranges read two columns far apart, read by the worker in segments.
    ['far-apart reads of big batches', 'b60000.arrows', 60_000, 60_000],
    // 400,000 rows (160 MB): regions of 20 MB, longer than a worker's window of 16 MiB.
    ['regions longer than a window', 'b16384-long.arrows', 400_000, 16_384],
  ])('gives the CLI values for %s', async (_, name, rows, batchRows) => {
    const file = generate(name, rows, batchRows);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(30e6);
    // More regions than workers, so each worker reads several.
    expect(size / spanBytes(size, 3)).toBeGreaterThan(6);
    if (rows === 400_000) expect(spanBytes(size, 2)).toBeGreaterThan(WINDOW_BYTES);
    const expected = values(cli(['eval', file, '--by', 'epoch', '--format', 'json']));
    const { page, problems } = await harness.open(1280, 900);
    for (const threads of [2, 3]) {
      expect(await runFiles(page, threads === 2 ? [file] : undefined, threads)).toBe('done');
      expect(values(await downloaded(page, '#download-json'))).toEqual(expected);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
