import { LossError } from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import { checkMetricOptions } from './checkMetricOptions.js';
import { metricOperator } from './metricOperator.js';

function errorOf(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LossError);
    return e as LossError;
  }
  throw new Error('expected a LossError');
}

describe('checkMetricOptions', () => {
  it('splits the metric options from the stream options', () => {
    expect(checkMetricOptions('topKAccuracy', { k: 5, input: 'logits', by: 'epoch', nulls: 'skip' })).toEqual(
      { core: { k: 5 }, stream: { input: 'logits', by: 'epoch', nulls: 'skip' } },
    );
  });

  it.each([
    ['an invalid value', 'topKAccuracy', { k: 0 }],
    ['an invalid choice', 'f1', { average: 'samples' }],
    ['an unknown key', 'accuracy', { kk: 1 }],
    ['a regression metric option it does not take', 'rmse', { k: 1 }],
  ] as const)('throws what metricOperator throws for %s', (_, name, options) => {
    const checked = errorOf(() => checkMetricOptions(name, options));
    const created = errorOf(() => metricOperator(name, options));
    expect(checked.code).toBe('INVALID_OPTION');
    expect({ ...checked, message: checked.message }).toEqual({ ...created, message: created.message });
  });
});
