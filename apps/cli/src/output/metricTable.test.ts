import { describe, expect, it } from 'vitest';
import type { MetricResult } from '../metrics/metricResults.js';
import { withMetricColumns } from './metricTable.js';

describe('withMetricColumns', () => {
  it('prints a metric column with one number of decimals on every row, as the loss columns', () => {
    const accuracy: MetricResult = {
      metric: 'accuracy',
      options: {},
      value: 0.906125,
      rows: 8000,
      groups: [
        { key: 0, value: 0.712, rows: 2000, batches: 4 },
        { key: 1, value: 1, rows: 2000, batches: 4 },
      ],
    };
    const columns = withMetricColumns([accuracy]);
    expect([columns.group(0), columns.group(1), columns.total]).toEqual([['0.7120'], ['1.0000'], ['0.9061']]);
  });
});
