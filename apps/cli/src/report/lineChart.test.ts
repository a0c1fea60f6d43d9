import { describe, expect, it } from 'vitest';
import { renderLineChart } from './lineChart.js';

const options = { title: 'Running loss <per epoch>', xLabel: 'step', yLabel: 'cross-entropy' };

describe('renderLineChart', () => {
  it('draws one series path per series, with labelled axes and a legend entry each', () => {
    const svg = renderLineChart(
      [
        {
          label: 'epoch 0',
          color: '#440154',
          points: [
            [0, 2],
            [10, 1.5],
            [20, 1.2],
          ],
        },
        {
          label: 'epoch 1',
          color: '#31688e',
          points: [
            [21, 1.1],
            [30, 0.9],
          ],
        },
      ],
      options,
    );
    expect(svg.match(/<path class="series"/g)).toHaveLength(2);
    expect(svg).toContain('data-series="epoch 0"');
    expect(svg).toContain('>step</text>');
    expect(svg).toContain('>cross-entropy</text>');
    expect(svg).toContain('&lt;per epoch&gt;');
    expect(svg.match(/<g class="legend">[\s\S]*<\/g>/)![0].match(/<text/g)).toHaveLength(2);
    expect(svg).not.toMatch(/https?:/);
  });

  it('maps the data range into the plot, with the highest value at the top', () => {
    const svg = renderLineChart(
      [
        {
          label: 'a',
          color: '#000',
          points: [
            [0, 0],
            [1, 1],
          ],
        },
      ],
      {
        ...options,
        width: 400,
        height: 300,
      },
    );
    const d = /<path class="series"[^>]* d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"/.exec(svg)!;
    const [x0, y0, x1, y1] = d.slice(1).map(Number);
    expect(x1!).toBeGreaterThan(x0!);
    expect(y1!).toBeLessThan(y0!);
  });

  it('breaks a line at non-finite values and skips an empty series', () => {
    const svg = renderLineChart(
      [
        {
          label: 'gap',
          color: '#000',
          points: [
            [0, 1],
            [1, Number.NaN],
            [2, 2],
            [3, 3],
          ],
        },
        { label: 'empty', color: '#111', points: [] },
      ],
      options,
    );
    const d = /<path class="series"[^>]* d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(svg.match(/<path class="series"/g)).toHaveLength(1);
  });
});

describe('renderLineChart with many points', () => {
  it('draws 300,000 points and 200,000 legend labels without overflowing the call stack', () => {
    const points: [number, number][] = Array.from({ length: 300_000 }, (_, i) => [i, i % 7]);
    const many = Array.from({ length: 200_000 }, (_, i) => ({ label: `s${i}`, color: '#111', points: [] }));
    const svg = renderLineChart([{ label: 'long', color: '#440154', points }, ...many], options);
    expect(svg).toContain('data-series="long"');
  });
});
