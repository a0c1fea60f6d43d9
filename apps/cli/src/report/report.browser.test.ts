import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../testing/runCli.js';

interface DrawnPath {
  getTotalLength(): number;
  getBoundingClientRect(): { width: number };
  ownerDocument: { defaultView: { getComputedStyle(el: DrawnPath): { stroke: string } } };
}

const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

describe('the HTML report in headless Chromium', () => {
  it('draws one series per epoch with no console error and no network request', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const report = join(OUTPUT, 'report.html');
    const run = await runCli([
      'eval',
      join(FIXTURES, 'epoch-log.arrows'),
      '--by',
      'epoch',
      '--report',
      report,
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(report).href;
      await page.goto(url, { waitUntil: 'load' });

      const series = page.locator('svg.chart path.series');
      expect(await series.count()).toBe(4);
      expect(await series.evaluateAll((paths) => paths.map((p) => p.getAttribute('data-series')))).toEqual([
        'epoch 0',
        'epoch 1',
        'epoch 2',
        'epoch 3',
      ]);
      // Each line is really drawn: it has length and a visible stroke.
      for (const p of await series.all()) {
        const drawn = await p.evaluate((el) => {
          // The test compiles without the DOM library; this is the part of SVGPathElement it needs.
          const path = el as unknown as DrawnPath;
          return {
            length: path.getTotalLength(),
            width: path.getBoundingClientRect().width,
            stroke: path.ownerDocument.defaultView.getComputedStyle(path).stroke,
          };
        });
        expect(drawn.length).toBeGreaterThan(10);
        expect(drawn.width).toBeGreaterThan(5);
        expect(drawn.stroke).toMatch(/^rgb/);
      }
      expect(await page.locator('svg.chart .legend text').allTextContents()).toEqual([
        'epoch 0',
        'epoch 1',
        'epoch 2',
        'epoch 3',
      ]);
      expect(await page.locator('svg.chart .axis-label').allTextContents()).toEqual([
        'step',
        'cross-entropy (running mean)',
      ]);
      expect(await page.locator('table.values tbody tr').count()).toBe(5);
      await page.screenshot({ path: join(OUTPUT, 'report.png'), fullPage: true });

      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('draws the training curve of two runs: a series per run, smoothing redraws it, the legend hides, hover shows values', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const runs = mkdtempSync(join(tmpdir(), 'lossflow-report-runs-'));
    for (const run of ['a', 'b']) {
      mkdirSync(join(runs, `run=${run}`));
      copyFileSync(join(FIXTURES, 'epoch-log.arrows'), join(runs, `run=${run}`, 'log.arrows'));
    }
    const report = join(OUTPUT, 'report-runs.html');
    const run = await runCli(['eval', runs, '--by', 'run', '--report', report, '--format', 'json']);
    expect(run.stderr).toBe(`Report written to ${report}\n`);
    expect(run.code).toBe(0);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });

      const curve = page.locator('svg.chart-curve path.series');
      expect(await curve.evaluateAll((paths) => paths.map((p) => p.getAttribute('data-series')))).toEqual([
        'run a',
        'run b',
      ]);
      const colours = await curve.evaluateAll((paths) => paths.map((p) => p.getAttribute('stroke')));
      expect(new Set(colours).size).toBe(2);

      // Smoothing: the drawn path follows the control.
      const before = await curve.first().getAttribute('d');
      await page.locator('input.smoothing').fill('0');
      const unsmoothed = await curve.first().getAttribute('d');
      expect(unsmoothed).not.toBe(before);
      // At 0 the smoothed line is the recorded one.
      expect(unsmoothed).toBe(await page.locator('svg.chart-curve path.raw').first().getAttribute('d'));

      // Hover: values of both runs.
      const box = (await page.locator('svg.chart-curve').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
      const tip = page.locator('figure.curve .tip');
      expect(await tip.isVisible()).toBe(true);
      expect(await tip.textContent()).toMatch(/run a: [\d.]+.*run b: [\d.]+/);
      await page.screenshot({ path: join(OUTPUT, 'report-runs.png'), fullPage: true });

      // The legend hides a run's line.
      await page.locator('svg.chart-curve .legend-item[data-series="run b"]').click();
      expect(await curve.nth(1).isVisible()).toBe(false);
      expect(await curve.first().isVisible()).toBe(true);

      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('lays out a two-run --by run,epoch report and the demo report at 1400 and 800 px: nothing overflows, change stays within a run', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const runs = mkdtempSync(join(tmpdir(), 'lossflow-report-runs-'));
    for (const [run, seed] of [
      ['a', '1'],
      ['b', '2'],
    ] as const) {
      mkdirSync(join(runs, `run=${run}`));
      const made = await runCli([
        'generate',
        '--rows',
        '3000',
        '--classes',
        '5',
        '--epochs',
        '3',
        '--seed',
        seed,
        '--batch-rows',
        '500',
        '-q',
        '--out',
        join(runs, `run=${run}`, 'log.arrows'),
      ]);
      expect(made.code).toBe(0);
    }
    const runsReport = join(OUTPUT, 'report-run-epoch.html');
    const evalRun = await runCli([
      'eval',
      runs,
      '--by',
      'run,epoch',
      '--report',
      runsReport,
      '--format',
      'json',
    ]);
    expect(evalRun.code).toBe(0);
    const demoReport = join(OUTPUT, 'report-demo.html');
    const demo = await runCli([
      'demo',
      '--rows',
      '5000',
      '--epochs',
      '4',
      '--classes',
      '10',
      '-q',
      '--report',
      demoReport,
    ]);
    expect(demo.code).toBe(0);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
    try {
      for (const [name, report] of [
        ['report-run-epoch', runsReport],
        ['report-demo', demoReport],
      ] as const) {
        for (const width of [1400, 800]) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          const problems: string[] = [];
          page.on('console', (m) => {
            if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
          });
          page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
          await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
          await page.screenshot({ path: join(OUTPUT, `${name}-${width}.png`), fullPage: true });
          // No sideways scrolling, and every HTML box holds its content (SVG text is measured by the chart).
          const overflowing = await page.evaluate(`(() => {
            const out = [];
            if (document.documentElement.scrollWidth > innerWidth) out.push('page ' + document.documentElement.scrollWidth);
            for (const el of document.querySelectorAll('main *:not(svg):not(svg *)')) {
              if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) out.push(el.className + ': ' + el.textContent.slice(0, 40));
            }
            return out;
          })()`);
          expect(overflowing, `${name} at ${width} px`).toEqual([]);
          expect(problems, `${name} at ${width} px`).toEqual([]);
          await page.close();
        }
      }
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(pathToFileURL(runsReport).href, { waitUntil: 'load' });
      const rows = await page
        .locator('table.values tbody tr:not(.total)')
        .evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[3]!.textContent]));
      expect(rows.map(([key]) => key)).toEqual(
        ['a', 'b'].flatMap((run) => [0, 1, 2].map((epoch) => `run=${run} epoch=${epoch}`)),
      );
      // Run b's first epoch has no change: the row before it is run a's.
      expect(rows.map(([, change]) => change === '')).toEqual([true, false, false, true, false, false]);
      expect(await page.locator('svg.chart-curve path.series').count()).toBe(6);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
