/**
 * A run's life on the built page: new files during a run cancel it (its values never reach the
 * page), its options cannot change under it, and Cancel ends it at any moment, even before the
 * workers are ready.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, downloaded, type PageHarness, runFiles, startHarness } from './pageHarness.js';

let dir: string;
let harness: PageHarness;

/** The CLI's JSON without the files' paths (the page knows only their names). */
function values(json: string): unknown {
  const doc = JSON.parse(json) as { files?: { path: string; bytes: number }[] };
  return { ...doc, files: doc.files?.map((f) => ({ bytes: f.bytes })) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-web-runs-'));
  // Big enough that one worker is still at it when the test acts (~100 MB), in many batches: the
  // page shows progress per batch merged, and a few big ones could all merge between two frames.
  cli([
    'generate',
    '--rows',
    '120000',
    '--classes',
    '100',
    '--epochs',
    '2',
    '--batch-rows',
    '2048',
    '--out',
    join(dir, 'big.arrows'),
    '-q',
  ]);
  cli([
    'generate',
    '--rows',
    '900',
    '--classes',
    '5',
    '--epochs',
    '2',
    '--out',
    join(dir, 'small.arrows'),
    '-q',
  ]);
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe('a run on the page', () => {
  it('is cancelled by choosing other files, locks its options, and never shows its values afterwards', async () => {
    const { page, problems } = await harness.open(1280, 900);
    await page.setInputFiles('#files', [join(dir, 'big.arrows')]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await page.fill('#threads', '1');
    await page.dispatchEvent('#threads', 'change');
    // The run's worker: the one warm worker kept for the file (trimmed to the form's 1 thread),
    // which the run takes. It must end with the run.
    await expect.poll(() => page.workers().length).toBe(1);
    const runWorker = page.workers()[0]!;
    const runWorkerClosed = new Promise<void>((resolve) => runWorker.once('close', () => resolve()));
    // The form's state and the new choice of file are taken as the run starts: an observer of the
    // page's state runs in the task that sets it to 'running', before any message of the run's
    // worker can be handled, so the run cannot have ended yet however slow the machine (polling
    // each frame lost that race on a loaded CI machine: a 50 MB file can be done between frames).
    const smallBytes = readFileSync(join(dir, 'small.arrows')).toString('base64');
    await page.evaluate((bytes) => {
      const seen = window as unknown as { lossflowSeen?: { running: boolean; locked: boolean[] } };
      const observer = new MutationObserver(() => {
        if (document.body.dataset.state !== 'running' || seen.lossflowSeen !== undefined) return;
        observer.disconnect();
        const disabled = (selector: string) =>
          (document.querySelector(selector) as HTMLInputElement | HTMLSelectElement).matches(':disabled');
        seen.lossflowSeen = {
          running: true,
          locked: ['input[value="mseLoss"]', '#col-by', '#threads'].map(disabled),
        };
        // Another file mid-run: the old run ends (its workers are gone), the new file is ready.
        const input = document.getElementById('files') as HTMLInputElement;
        const chosen = new DataTransfer();
        chosen.items.add(new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], 'small.arrows'));
        input.files = chosen.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      });
      observer.observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    }, smallBytes);
    await page.click('#start');
    const seen = await page.waitForFunction(
      () => (window as unknown as { lossflowSeen?: unknown }).lossflowSeen ?? false,
    );
    expect(await seen.jsonValue()).toEqual({ running: true, locked: [true, true, true] });
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await runWorkerClosed;
    // What is left is the worker started for the new file, not the old run's.
    await expect.poll(() => page.workers().length).toBe(1);
    expect(page.workers()[0]).not.toBe(runWorker);
    expect(await page.isDisabled('input[value="mseLoss"]')).toBe(false);
    expect(await page.locator('#epoch-chart path.series').count()).toBe(0);

    expect(await runFiles(page, undefined, 2)).toBe('done');
    // A run that ended well keeps its workers for the next.
    await expect.poll(() => page.workers().length).toBe(2);
    const json = await downloaded(page, '#download-json');
    const small = join(dir, 'small.arrows');
    expect(values(json)).toEqual(values(cli(['eval', small, '--by', 'epoch', '--format', 'json'])));
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
    expect(await page.locator('#epoch-chart path.series').count()).toBe(2);
    expect(await page.textContent('#status')).toMatch(/^Done: 1,800 rows of 1 file\./);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('ends cancelled when Cancel comes right after Evaluate, before the workers are ready', async () => {
    const { page, problems } = await harness.open(420, 900);
    await page.setInputFiles('#files', [join(dir, 'big.arrows')]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await page.fill('#threads', '2');
    // Both clicks in one task: the cancel lands while the workers are still starting.
    await page.evaluate(() => {
      document.getElementById('start')!.click();
      document.getElementById('cancel')!.click();
    });
    await page.waitForFunction(() => document.body.dataset.state === 'cancelled', undefined, {
      timeout: 10_000,
    });
    await expect.poll(() => page.workers().length).toBe(0);
    expect(await page.textContent('#status')).toBe('Cancelled: no result.');
    expect(await page.isDisabled('#start')).toBe(false);
    expect(await page.isDisabled('#download-json')).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
