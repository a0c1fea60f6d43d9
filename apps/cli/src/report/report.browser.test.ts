import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium, pageProblems } from '@lossflow/test-chromium';
import { Field, FixedSizeList, Float32, makeData, makeVector, Table, tableToIPC } from 'apache-arrow';
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

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems = pageProblems(page, { warnings: true });
      const requests: string[] = [];
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

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems = pageProblems(page, { warnings: true });
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
      // The step is a whole number, shown without decimals.
      expect(await tip.locator('.tip-x').textContent()).toMatch(/^\d+$/);
      // --by run: runs have no order, so no change between them.
      expect(
        await page.locator('table.values tbody tr:not(.total) td:nth-child(4)').allTextContents(),
      ).toEqual(['', '']);
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
      '--loss',
      'cross-entropy',
      '--metric',
      'accuracy',
      '--metric',
      'confusion-matrix',
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

    const browser = await launchChromium();
    try {
      for (const [name, report] of [
        ['report-run-epoch', runsReport],
        ['report-demo', demoReport],
      ] as const) {
        for (const width of [1400, 800]) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          const problems = pageProblems(page, { warnings: true });
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
        .locator('table.values:not(.metrics) tbody tr:not(.total)')
        .evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[3]!.textContent]));
      expect(rows.map(([key]) => key)).toEqual(
        ['a', 'b'].flatMap((run) => [0, 1, 2].map((epoch) => `run=${run} epoch=${epoch}`)),
      );
      // Run b's first epoch has no change: the row before it is run a's.
      expect(rows.map(([, change]) => change === '')).toEqual([true, false, false, true, false, false]);
      expect(await page.locator('svg.chart-curve path.series').count()).toBe(6);
      // One hue per run, a shade of it per epoch: run a's lines are bluish, run b's orange-ish.
      const strokes = await page
        .locator('svg.chart-curve path.series')
        .evaluateAll((paths) => paths.map((p) => p.getAttribute('stroke')!));
      const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      expect(new Set(strokes).size).toBe(6);
      for (const hex of strokes.slice(0, 3)) expect(rgb(hex)[2]!).toBeGreaterThan(rgb(hex)[0]!);
      for (const hex of strokes.slice(3)) expect(rgb(hex)[0]!).toBeGreaterThan(rgb(hex)[2]!);
      expect(await page.locator('section.metrics table.metrics').count()).toBe(1);
    } finally {
      await browser.close();
    }
  }, 180_000);
});

describe('the confusion-matrix heat map in headless Chromium', () => {
  type Doc = {
    metrics: { metric: string; value: number[][]; groups?: { key: number; value: number[][] }[] }[];
  };

  it('shows each cell count of the JSON (per epoch from the selector), on hover too, row-normalised on request', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const report = join(OUTPUT, 'report-confusion.html');
    const run = await runCli([
      'eval',
      join(FIXTURES, 'epoch-log.arrows'),
      '--by',
      'epoch',
      '--metric',
      'accuracy',
      '--metric',
      'confusion-matrix',
      '--report',
      report,
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    const cm = (JSON.parse(run.stdout) as Doc).metrics.find((m) => m.metric === 'confusion-matrix')!;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems = pageProblems(page, { warnings: true });
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      const cells = page.locator('svg.heatmap rect.cell');
      expect(await cells.count()).toBe(25);
      const shown = async (): Promise<number[][]> => {
        const flat = await cells.evaluateAll((rects) =>
          rects.map((r) => Number(r.getAttribute('data-count'))),
        );
        return [0, 1, 2, 3, 4].map((t) => flat.slice(5 * t, 5 * t + 5));
      };
      expect(await shown()).toEqual(cm.value);
      // Five classes: each count is printed in its cell.
      expect((await page.locator('svg.heatmap text.cell-count').allTextContents()).map(Number)).toEqual(
        cm.value.flat(),
      );
      expect(await page.locator('table.values.metrics tbody tr').first().textContent()).toContain('accuracy');

      // Hover: the tip shows the cell's count.
      const cell = cells.nth(2 * 5 + 3);
      await cell.hover();
      const tip = page.locator('figure.heatmap-figure .tip');
      expect(await tip.isVisible()).toBe(true);
      expect(await tip.textContent()).toContain(`true 2, predicted 3${cm.value[2]![3]}`);
      await page.screenshot({ path: join(OUTPUT, 'report-confusion.png'), fullPage: true });

      // The selector shows a group's matrix.
      await page.locator('select.heatmap-select').selectOption({ label: 'epoch 2' });
      expect(await shown()).toEqual(cm.groups!.find((g) => g.key === 2)!.value);

      // Row-normalised: the colours change, the counts do not.
      const before = await cells.evaluateAll((rects) => rects.map((r) => r.getAttribute('fill')));
      await page.locator('input.heatmap-normalise').check();
      expect(await cells.evaluateAll((rects) => rects.map((r) => r.getAttribute('fill')))).not.toEqual(
        before,
      );
      expect(await shown()).toEqual(cm.groups!.find((g) => g.key === 2)!.value);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('draws 100 classes without cell text, each count in the SVG and on hover', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const classes = 100;
    const rows = 3000;
    const logits = new Float32Array(rows * classes);
    const target = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      const t = (r * 7) % classes;
      target[r] = BigInt(t);
      for (let c = 0; c < classes; c++) logits[r * classes + c] = Math.sin(r * 13 + c * 7);
      // Right, except the classes that are multiples of 5 (their rows have r % 5 = 0): the next class.
      logits[r * classes + (r % 5 === 0 ? (t + 1) % classes : t)] = 3;
    }
    const file = join(mkdtempSync(join(tmpdir(), 'lossflow-heatmap-')), 'many.arrows');
    const type = new FixedSizeList(classes, new Field('item', new Float32(), false));
    const child = makeData({ type: new Float32(), length: logits.length, data: logits });
    writeFileSync(
      file,
      tableToIPC(
        new Table({
          logits: makeVector(makeData({ type, length: rows, child })),
          target: makeVector(target),
        }),
        'stream',
      ),
    );
    const report = join(OUTPUT, 'report-confusion-100.html');
    const run = await runCli([
      'eval',
      file,
      '--metric',
      'confusion-matrix',
      '--report',
      report,
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    const cm = (JSON.parse(run.stdout) as Doc).metrics[0]!;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      const cells = page.locator('svg.heatmap rect.cell');
      expect(await cells.count()).toBe(classes * classes);
      expect(await page.locator('svg.heatmap text.cell-count').count()).toBe(0);
      const flat = await cells.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
      expect(flat).toEqual(cm.value.flat());
      await cells.nth(40 * classes + 41).hover();
      const tip = page.locator('figure.heatmap-figure .tip');
      expect(await tip.isVisible()).toBe(true);
      expect(await tip.textContent()).toContain(`true 40, predicted 41${cm.value[40]![41]}`);
      // Class 40's 30 rows all have r % 5 = 0: each predicted as class 41.
      expect([cm.value[40]![40], cm.value[40]![41]]).toEqual([0, 30]);
      await page.screenshot({ path: join(OUTPUT, 'report-confusion-100.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
