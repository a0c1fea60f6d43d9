import { describe, expect, it } from 'vitest';
import { reportHtml } from './reportHtml.js';
import { sampleRun } from './testing/sampleRun.js';

function report() {
  const run = sampleRun();
  const series = [0, 1, 2].map((key) => ({
    key,
    points: [0, 1, 2, 3].map((i): [number, number] => [key * 100 + i * 25, 2 - key * 0.5 - i * 0.05]),
  }));
  return reportHtml({
    title: 'lossflow eval',
    command: "lossflow eval 'log <1>.arrow' --by epoch",
    generatedAt: new Date('2025-01-02T03:04:05Z'),
    files: [{ path: '/data/log <1>.arrow', bytes: 12_000 }],
    rows: run.rows,
    batches: run.batches,
    bytes: run.bytes,
    elapsedMs: 1500,
    by: 'epoch',
    losses: run.results.map((result) => ({ result, series, xLabel: 'step' })),
    parameters: [['Seed', '7']],
  });
}

describe('reportHtml', () => {
  it('is one self-contained document: inline CSS and SVG, no script, no external reference', () => {
    const html = report();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\//i);
    expect(html).toContain("default-src 'none'");
  });

  it('draws one series per epoch in each loss chart, with axis labels and a legend', () => {
    const html = report();
    const charts = html.split('<svg').slice(1);
    expect(charts).toHaveLength(2);
    for (const chart of charts) {
      expect(chart.match(/<path class="series"/g)).toHaveLength(3);
      expect(chart).toContain('data-series="epoch 2"');
      expect(chart).toContain('>step</text>');
    }
    expect(html).toContain('cross-entropy (running mean)');
  });

  it('lists the per-epoch final values, the run parameters, rows and throughput', () => {
    const html = report();
    expect(html).toContain('<td>1.691039</td>');
    expect(html).toContain('<td>0.8398476</td>');
    expect(html).toContain('-47.5%');
    expect(html).toContain('200 rows/s');
    expect(html).toContain('8.0 kB/s');
    expect(html).toContain('lossflow eval &#39;log &lt;1&gt;.arrow&#39; --by epoch');
    expect(html).toContain('reduction=mean weight=0.5,1,2 ignore-index=-100');
    expect(html).toContain('<th scope="row">Seed</th><td>7</td>');
    expect(html).toContain('2025-01-02T03:04:05.000Z');
  });
});
