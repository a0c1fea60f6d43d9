/**
 * The built page in headless Chromium, served from 127.0.0.1: each format of a generated
 * multi-epoch log gives the CLI's JSON values to the bit, one chart series per epoch, a damaged
 * file an error and no result, cancel ends the workers, and nothing is requested after load.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliFailure, downloaded, type PageHarness, runFiles, startHarness } from './pageHarness.js';

const OUT = fileURLToPath(new URL('../test-output/', import.meta.url));
const EPOCHS = 3;
let dir: string;
let harness: PageHarness;

/** The CLI's JSON without the files' paths (the page knows only their names). */
function values(json: string): unknown {
  const doc = JSON.parse(json) as { files?: { path: string; bytes: number }[] };
  return { ...doc, files: doc.files?.map((f) => ({ bytes: f.bytes })) };
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'lossflow-web-'));
  for (const [format, name] of [
    ['arrow', 'log.arrows'],
    ['arrow-file', 'log.arrow'],
    ['parquet', 'log.parquet'],
  ] as const) {
    cli([
      'generate',
      '--rows',
      '3000',
      '--classes',
      '10',
      '--epochs',
      String(EPOCHS),
      '--batch-rows',
      '700',
      '--format',
      format,
      '--out',
      join(dir, name),
      '-q',
    ]);
  }
  // Another schema (4 classes, not 10): what a worker kept from a run on log.arrow must not decode with that file's.
  cli([
    'generate',
    '--rows',
    '1500',
    '--classes',
    '4',
    '--epochs',
    '2',
    '--batch-rows',
    '400',
    '--format',
    'arrow-file',
    '--out',
    join(dir, 'other.arrow'),
    '-q',
  ]);
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe('the web app', () => {
  for (const name of ['log.arrows', 'log.arrow', 'log.parquet']) {
    it(`gives the CLI's JSON for ${name}, one series per epoch, and requests nothing after load`, async () => {
      const file = join(dir, name);
      // The IPC file in a narrow window (a phone's width), the others in a wide one.
      const { page, problems, requests } = await harness.open(name === 'log.arrow' ? 420 : 1280, 900);
      expect(await runFiles(page, [file], 3)).toBe('done');
      const json = await downloaded(page, '#download-json');
      expect(values(json)).toEqual(values(cli(['eval', file, '--by', 'epoch', '--format', 'json'])));
      expect(await page.locator('#epoch-chart path.series').count()).toBe(EPOCHS);
      expect(await downloaded(page, '#download-csv')).toBe(
        cli(['eval', file, '--by', 'epoch', '--format', 'csv']),
      );
      // The chart as the run drew it (not as the form now reads), at a size no window changes.
      await page.check('input[value="mseLoss"]');
      await page.uncheck('input[value="crossEntropy"]');
      const svg = await downloaded(page, '#download-svg');
      expect(svg).toMatch(/^<svg [^>]* width="1200" height="600"/);
      expect(svg).toContain('>Running cross-entropy per group</text>');
      if (name === 'log.arrow') {
        // In a narrow window the scrolled list of losses stays below its legend.
        const legendOnTop = await page.evaluate(() => {
          document.getElementById('loss-list')!.scrollTop = 120;
          const legend = document.querySelector('#losses legend')!;
          legend.scrollIntoView({ block: 'center' });
          const r = legend.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return hit === legend;
        });
        expect(legendOnTop).toBe(true);
      }
      if (name !== 'log.parquet') {
        const shot = name === 'log.arrow' ? 'narrow-finished.png' : 'wide-finished.png';
        await page.screenshot({ path: join(OUT, shot), fullPage: true });
      }
      expect(requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }

  it("keeps a finished run's workers for the next run, which gives the CLI's values for a file of another schema", async () => {
    const { page, problems } = await harness.open(1280, 900);
    let started = 0;
    page.on('worker', () => started++);
    const first = join(dir, 'log.arrow');
    expect(await runFiles(page, [first], 2)).toBe('done');
    expect(values(await downloaded(page, '#download-json'))).toEqual(
      values(cli(['eval', first, '--by', 'epoch', '--format', 'json'])),
    );
    // The run's two workers stay, idle, for the next run: none is started again.
    expect(page.workers()).toHaveLength(2);
    const before = started;
    const other = join(dir, 'other.arrow');
    expect(await runFiles(page, [other], 2)).toBe('done');
    expect(started).toBe(before);
    expect(values(await downloaded(page, '#download-json'))).toEqual(
      values(cli(['eval', other, '--by', 'epoch', '--format', 'json'])),
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("cuts a batch over 4 MiB into the CLI's row ranges across the workers and passes over empty batches", async () => {
    // One batch of 9,000 rows of 128 float32 logits (4.6 MB): two row ranges, computed by two
    // workers and merged in row order; empty batches around it, which the CLI passes over.
    const big = join(dir, 'big.arrows');
    cli([
      'generate',
      '--rows',
      '9000',
      '--classes',
      '128',
      '--epochs',
      '1',
      '--batch-rows',
      '9000',
      '--out',
      big,
      '-q',
    ]);
    const table = tableFromIPC(readFileSync(big));
    const empty = table.batches[0]!.slice(0, 0);
    const spaced = join(dir, 'spaced.arrows');
    writeFileSync(spaced, tableToIPC(new Table([empty, ...table.batches, empty, empty]), 'stream'));
    // The same batch with a target out of range in its second range: the error names the batch's row.
    const target = table.getChild('target')!.data[0]!.values as BigInt64Array;
    target[8500] = 1000n;
    const bad = join(dir, 'bad-range.arrows');
    writeFileSync(bad, tableToIPC(table, 'stream'));
    const { page } = await harness.open(1280, 900);
    for (const file of [big, spaced]) {
      expect(await runFiles(page, [file], 3)).toBe('done');
      expect(values(await downloaded(page, '#download-json'))).toEqual(
        values(cli(['eval', file, '--by', 'epoch', '--format', 'json'])),
      );
      expect(await downloaded(page, '#download-csv')).toBe(
        cli(['eval', file, '--by', 'epoch', '--format', 'csv']),
      );
    }
    expect(await runFiles(page, [bad], 3)).toMatch(/^error/);
    const said = cliFailure(['eval', 'bad-range.arrows', '--by', 'epoch', '--format', 'json'], dir);
    expect(said).toContain('batch 0, row 8500');
    const message = (await page.textContent('#error')) ?? '';
    // Word for word what the CLI says, up to the hint: the CLI's names its flag (--ignore-index).
    const head = (text: string): string => text.slice(0, text.indexOf('[TARGET_OUT_OF_RANGE]'));
    expect(head(`lossflow eval: ${message}`)).toBe(head(said));
    expect(message).toContain('[TARGET_OUT_OF_RANGE]');
    expect(said).toContain('--ignore-index');
    await page.context().close();
  });

  it("walks a stream of small batches in the workers, with the CLI's values, and fails a cut copy as the CLI does", async () => {
    // 120 batches of 512 rows (~25 MB): past its first batches, the workers find the batches
    // themselves in regions of the file and this thread reads no more headers.
    const small = join(dir, 'small.arrows');
    cli([
      'generate',
      '--rows',
      '20480',
      '--classes',
      '100',
      '--epochs',
      '3',
      '--batch-rows',
      '512',
      '--out',
      small,
      '-q',
    ]);
    const { page, problems } = await harness.open(1280, 900);
    for (const threads of [2, 3]) {
      expect(await runFiles(page, threads === 2 ? [small] : undefined, threads)).toBe('done');
      expect(values(await downloaded(page, '#download-json'))).toEqual(
        values(cli(['eval', small, '--by', 'epoch', '--format', 'json'])),
      );
      expect(Number(await page.evaluate(() => document.body.dataset.headers))).toBeLessThan(20);
    }
    expect(await downloaded(page, '#download-csv')).toBe(
      cli(['eval', small, '--by', 'epoch', '--format', 'csv']),
    );
    // Cut inside its 100th batch: the batches before it count, and the error is the CLI's.
    const whole = readFileSync(small);
    const cut = join(dir, 'small-cut.arrows');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * (99.5 / 120))));
    expect(await runFiles(page, [cut], 2)).toMatch(/^error/);
    const said = cliFailure(['eval', 'small-cut.arrows', '--by', 'epoch', '--format', 'json'], dir);
    expect(said).toContain('[TRUNCATED]');
    expect(`lossflow eval: ${await page.textContent('#error')} No result was written.`).toBe(said);
    // Bytes after its end-of-stream marker, which the last region's walk finds: the error counts
    // every batch before it, as the CLI's does, not those of the region alone.
    const after = join(dir, 'small-after.arrows');
    writeFileSync(after, Buffer.concat([whole, Buffer.alloc(8)]));
    expect(await runFiles(page, [after], 2)).toMatch(/^error/);
    const afterSaid = cliFailure(['eval', 'small-after.arrows', '--by', 'epoch', '--format', 'json'], dir);
    expect(afterSaid).toContain('after 120 record batches [CORRUPT]');
    expect(`lossflow eval: ${await page.textContent('#error')} No result was written.`).toBe(afterSaid);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows a truncated file as the CLI words it, with no result', async () => {
    const whole = readFileSync(join(dir, 'log.arrows'));
    const cut = join(dir, 'cut.arrows');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const { page } = await harness.open(420, 900);
    expect(await runFiles(page, [cut])).toMatch(/^error/);
    const message = await page.textContent('#error');
    expect(message).toMatch(/^cannot read the data \(file 'cut\.arrows', batch \d+\): .* \[TRUNCATED\]\./);
    // Word for word what the CLI says (its own prefix and ending aside).
    const said = cliFailure(['eval', 'cut.arrows', '--by', 'epoch', '--format', 'json'], dir);
    expect(`lossflow eval: ${message} No result was written.`).toBe(said);
    expect(await page.isDisabled('#download-json')).toBe(true);
    expect(await page.locator('#epochs tbody tr').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'narrow-error.png'), fullPage: true });
    await page.context().close();
  });

  it('names a missing column with the available ones', async () => {
    const { page } = await harness.open(1280, 900);
    await page.setInputFiles('#files', [join(dir, 'log.arrows')]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await page.check('input[value="mseLoss"]');
    await page.uncheck('input[value="crossEntropy"]');
    await page.selectOption('#col-input', 'step');
    expect(await runFiles(page, undefined)).toMatch(/^error/);
    expect(await page.textContent('#error')).toMatch(/cannot compute mse/);
    await page.context().close();
  });

  it('reads a ~200 MB stream in slices and cancel ends every worker', async () => {
    const big = join(dir, 'big.arrows');
    cli(['generate', '--rows', '250000', '--classes', '100', '--epochs', '2', '--out', big, '-q']);
    expect(statSync(big).size).toBeGreaterThan(150e6);
    const { page, problems } = await harness.open(420, 900);
    await page.setInputFiles('#files', [big]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await page.fill('#threads', '2');
    await page.click('#start');
    await expect.poll(() => page.workers().length).toBe(2);
    // Cancel in the same page task that sees the run still going: the test's round trips can be
    // slow enough for a fast page to finish 200 MB between two of them (with the workers walking
    // the stream, progress first shows when a region's batches are taken, late in a short run).
    const seen = await page.waitForFunction(
      () => {
        if (document.body.dataset.state !== 'running') return 'ended';
        document.getElementById('cancel')!.click();
        return 'cancelled';
      },
      undefined,
      { polling: 'raf' },
    );
    expect(await seen.jsonValue()).toBe('cancelled');
    await page.waitForFunction(() => document.body.dataset.state === 'cancelled');
    await expect.poll(() => page.workers().length).toBe(0);
    expect(await page.isDisabled('#download-json')).toBe(true);

    // The whole file, to the end: the CLI's values, the file never read whole into memory.
    await page.click('#start');
    await page.waitForFunction(
      () =>
        document.body.dataset.state !== 'running' ||
        Number((document.getElementById('progress') as HTMLProgressElement).value) > 60e6,
    );
    // Screenshots to look at, not assertions: the run may end while they are taken.
    await page.screenshot({ path: join(OUT, 'narrow-running.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(OUT, 'wide-running.png'), fullPage: true });
    expect(await runFiles(page, undefined, 2, false)).toBe('done');
    const json = await downloaded(page, '#download-json');
    expect(values(json)).toEqual(values(cli(['eval', big, '--by', 'epoch', '--format', 'json'])));
    await page.screenshot({ path: join(OUT, 'wide-big-finished.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
