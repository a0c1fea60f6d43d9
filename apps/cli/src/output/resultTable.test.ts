import { describe, expect, it } from 'vitest';
import { sampleRun } from '../testing/sampleRun.js';
import { styleFor } from './ansi.js';
import { resultTable } from './resultTable.js';

describe('resultTable', () => {
  it('aligns a row per group, a value column per loss and a total line', () => {
    const text = resultTable(sampleRun(), 'epoch', 2000, styleFor(false));
    expect(text).toBe(
      [
        'cross-entropy (mean, weight=0.5,1,2 ignore-index=-100)  nll (sum)',
        '',
        // One number of decimals per column (7 significant digits of its smallest value).
        'epoch  rows  cross-entropy        nll',
        '─────  ────  ─────────────  ─────────',
        '0       100      1.6910388   6.000000',
        '1       100      0.8869808   4.500000',
        '2       100            nan   2.000000',
        'total   300      0.8398476  12.500000',
        '',
        '300 rows · 5 batches · 12.0 kB in 2.0 s (6.0 kB/s)',
        '',
      ].join('\n'),
    );
  });

  it('shows only the total without grouping', () => {
    const run = sampleRun();
    const results = run.results.map(({ groups: _, ...r }) => r);
    const text = resultTable({ ...run, results }, undefined, 0, styleFor(false));
    expect(text).toContain('total   300      0.8398476  12.50000');
    expect(text).not.toContain('epoch');
  });

  it('names the options of metrics beside the losses, and every metric of a name given twice', () => {
    const metric = (options: Record<string, unknown>, value: number) => ({
      metric: 'calibration-error',
      options,
      value,
      rows: 300,
    });
    const run = { ...sampleRun(), metrics: [metric({}, 0.139), metric({ norm: 'max' }, 0.2418)] };
    const first = resultTable(run, undefined, 0, styleFor(false)).split('\n')[0];
    expect(first).toBe(
      'cross-entropy (mean, weight=0.5,1,2 ignore-index=-100)  nll (sum)  calibration-error (defaults)  calibration-error (norm=max)',
    );
    // One metric without options adds nothing.
    const plain = resultTable({ ...sampleRun(), metrics: [metric({}, 0.1)] }, undefined, 0, styleFor(false));
    expect(plain.split('\n')[0]).toBe('cross-entropy (mean, weight=0.5,1,2 ignore-index=-100)  nll (sum)');
  });

  it('says the columns of a loss or metric given twice, which may differ only by them', () => {
    const mse = (columns: Record<string, string>, value: number) => ({
      loss: 'mse',
      reduction: 'mean' as const,
      options: {},
      value,
      rows: 300,
      columns,
    });
    const metric = (columns: Record<string, string>) => ({
      metric: 'accuracy',
      options: {},
      value: 0.5,
      rows: 300,
      columns,
    });
    const run = {
      ...sampleRun(),
      results: [mse({ input: 'pred', target: 'y' }, 0.1), mse({ input: 'baseline', target: 'y' }, 0.2)],
      metrics: [metric({ input: 'pred', target: 'y' }), metric({ input: 'baseline', target: 'y' })],
    };
    expect(resultTable(run, undefined, 0, styleFor(false)).split('\n')[0]).toBe(
      'mse (mean, input=pred target=y)  mse (mean, input=baseline target=y)  accuracy (input=pred target=y)  accuracy (input=baseline target=y)',
    );
    // Given once, or twice over the same columns, a name's columns stay out of the heading.
    const once = { ...run, results: run.results.slice(0, 1), metrics: run.metrics.slice(0, 1) };
    expect(resultTable(once, undefined, 0, styleFor(false)).split('\n')[0]).toBe('mse (mean)');
    const sum = { ...mse({ input: 'pred', target: 'y' }, 30), reduction: 'sum' as const };
    const sameColumns = { ...once, results: [once.results[0]!, sum] };
    expect(resultTable(sameColumns, undefined, 0, styleFor(false)).split('\n')[0]).toBe(
      'mse (mean)  mse (sum)',
    );
  });
});
