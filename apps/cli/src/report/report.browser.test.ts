import { mkdirSync } from 'node:fs';
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
});
