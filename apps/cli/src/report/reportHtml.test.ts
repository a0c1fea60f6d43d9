import { describe, expect, it } from 'vitest';
import { sampleRun } from '../testing/sampleRun.js';
import { REPORT_MAX_TABLE_ROWS, reportHtml } from './reportHtml.js';
import { REPORT_MAX_SERIES } from './seriesRecorder.js';

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
  it('with several keys, the change column compares the next epoch of one run, never another run', () => {
    const run = sampleRun();
    const keys = [
      { run: 'a', epoch: 0 },
      { run: 'a', epoch: 1 },
      { run: 'b', epoch: 0 },
      { run: 'b', epoch: 1 },
    ];
    const values = [2, 1, 4, 3];
    const result = {
      ...run.results[0]!,
      groups: keys.map((key, i) => ({ key, value: values[i]!, rows: 10 })),
    };
    const html = reportHtml({
      title: 'lossflow eval',
      command: 'lossflow eval runs --by run,epoch',
      generatedAt: new Date('2025-01-02T03:04:05Z'),
      files: ['runs/run=a/log.arrows', 'runs/run=b/log.arrows'].map((path) => ({ path, bytes: 10 })),
      rows: 40,
      batches: 4,
      bytes: 20,
      elapsedMs: 10,
      by: 'run,epoch',
      losses: [{ result, series: [], xLabel: 'step' }],
    });
    const changes = [
      ...html.matchAll(
        /<tr><td><span class="swatch"[^>]*><\/span>([^<]*)<\/td>(?:<td>[^<]*<\/td>){2}<td>([^<]*)<\/td>/g,
      ),
    ].map((m) => `${m[1]}:${m[2]}`);
    expect(changes).toEqual([
      'run=a epoch=0:',
      'run=a epoch=1:-50.0%',
      'run=b epoch=0:',
      'run=b epoch=1:-25.0%',
    ]);
    // Files whose names repeat are counted, not listed as "log.arrows, log.arrows".
    expect(html).toContain('over 40 rows of 2 files.');
    // The key names read as prose: "run, epoch", never "run,epoch".
    expect(html).toContain('<th scope="row">Grouped by</th><td>run, epoch</td>');
    expect(html).toContain('per run, epoch');
    expect(html).not.toMatch(/(per|each) run,epoch/);
  });

  it('with --by run the change column is blank: runs have no order', () => {
    const run = sampleRun();
    const result = {
      ...run.results[0]!,
      groups: ['a', 'b', 'c'].map((key, i) => ({ key, value: i + 1, rows: 10 })),
    };
    const html = reportHtml({
      title: 'lossflow eval',
      command: 'lossflow eval runs --by run',
      generatedAt: new Date('2025-01-02T03:04:05Z'),
      files: ['runs/run=a/log.arrows'].map((path) => ({ path, bytes: 10 })),
      rows: 30,
      batches: 3,
      bytes: 10,
      elapsedMs: 10,
      by: 'run',
      losses: [{ result, series: [], xLabel: 'step' }],
    });
    const changes = [
      ...html.matchAll(
        /<tr><td><span class="swatch"[^>]*><\/span>([^<]*)<\/td>(?:<td>[^<]*<\/td>){2}<td>([^<]*)<\/td>/g,
      ),
    ].map((m) => `${m[1]}:${m[2]}`);
    expect(changes).toEqual(['a:', 'b:', 'c:']);
  });

  it('is one self-contained document: inline CSS and SVG, one inline script, no external reference', () => {
    const html = report();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<link|<img|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    // The one script (legend, hover, smoothing) is inline, and the charts' data is JSON.
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html.match(/<script(?! type="application\/json")[^>]*>/g)).toEqual(['<script>']);
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
    expect(html).toContain('<td>1.6910388</td>');
    expect(html).toContain('<td>0.8398476</td>');
    expect(html).toContain('-47.5%');
    expect(html).toContain('200 rows/s');
    expect(html).toContain('8.0 kB/s');
    expect(html).toContain('lossflow eval &#39;log &lt;1&gt;.arrow&#39; --by epoch');
    expect(html).toContain('reduction=mean weight=0.5,1,2 ignore-index=-100');
    expect(html).toContain('<th scope="row">Seed</th><td>7</td>');
    expect(html).toContain('2025-01-02T03:04:05.000Z');
  });

  it('says how many of many groups its chart and table show', () => {
    const run = sampleRun();
    const total = REPORT_MAX_TABLE_ROWS + 500;
    const groups = Array.from({ length: total }, (_, key) => ({ key, value: 1 + key / total, rows: 3 }));
    const result = { ...run.results[0]!, groups };
    const series = groups
      .slice(0, REPORT_MAX_SERIES)
      .map((g) => ({ key: g.key, points: [[1, g.value] as [number, number]] }));
    const html = reportHtml({
      title: 't',
      command: 'c',
      generatedAt: new Date(0),
      files: [],
      rows: total * 3,
      batches: 1,
      bytes: 0,
      elapsedMs: 1,
      by: 'user',
      losses: [{ result, series, xLabel: 'rows' }],
    });
    expect(html).toContain(
      `Showing ${REPORT_MAX_SERIES} of 1,500 groups: the first ${REPORT_MAX_SERIES} user values to appear`,
    );
    expect(html).toContain('Showing 1,000 of 1,500 groups (the first to appear)');
    expect(html.match(/<path class="series"/g)).toHaveLength(REPORT_MAX_SERIES);
    expect(html.match(/<span class="swatch"/g)).toHaveLength(REPORT_MAX_TABLE_ROWS);
  });

  it('adds no note when every group is shown', () => {
    expect(report()).not.toContain('Showing');
  });
});
