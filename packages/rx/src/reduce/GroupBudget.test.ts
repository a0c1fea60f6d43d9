import { createMetricState, createState, LossError, type MetricState } from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import type { GroupKey, LossChunk } from '../chunks/LossChunk.js';
import type { MetricChunk } from '../chunks/MetricChunk.js';
import {
  GROUP_MEMORY_BYTES,
  GroupBudget,
  LOSS_GROUP_BYTES,
  METRIC_ARRAY_FACTOR,
  METRIC_GROUP_BYTES,
} from './GroupBudget.js';

function lossChunk(batch: number, keys: readonly GroupKey[]): LossChunk {
  return {
    loss: 'crossEntropy',
    batch,
    rows: keys.length,
    skipped: 0,
    state: createState('crossEntropy'),
    groups: keys.map((key) => ({ key, state: createState('crossEntropy') })),
    perRow: undefined,
    source: undefined,
    file: 'log.arrows',
  };
}

function metricChunk(batch: number, keys: readonly GroupKey[], counts: number): MetricChunk {
  const state = (): MetricState => ({
    ...createMetricState('confusionMatrix'),
    counts: new Float64Array(counts),
  });
  return {
    metric: 'confusionMatrix',
    batch,
    rows: keys.length,
    skipped: 0,
    state: state(),
    groups: keys.map((key) => ({ key, state: state() })),
  };
}

const caught = (f: () => void): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('GroupBudget', () => {
  it('counts distinct keys across batches and losses, and fails at the first key past maxGroups, naming it', () => {
    const budget = new GroupBudget({ maxGroups: 3, by: 'user', describeKey: (k) => `user ${k}` });
    budget.addLoss(0, lossChunk(0, [1, 2, 1, 2]));
    budget.addLoss(1, lossChunk(0, [1, 2]));
    budget.addLoss(0, lossChunk(1, [3, 1]));
    expect(budget.groups).toBe(3);
    const error = caught(() => budget.addLoss(0, lossChunk(2, [2, 4, 5])));
    expect(error).toBeInstanceOf(LossError);
    expect(error).toMatchObject({
      code: 'TOO_MANY_GROUPS',
      batch: 2,
      file: 'log.arrows',
      column: 'user',
      loss: 'crossEntropy',
    });
    expect((error as LossError).message).toContain(
      "'user' has more than 3 distinct values (group 4 is user 4)",
    );
    expect((error as LossError).message).toContain('the limit is 3 groups');
    expect((error as LossError).hint).toMatch(/maxGroups.*coarser key.*per-row/);
  });

  it('by default allows as many groups as fit in 128 MiB at the losses’ per-group size', () => {
    const budget = new GroupBudget();
    expect(budget.limit).toBe(GROUP_MEMORY_BYTES / LOSS_GROUP_BYTES);
    const keys = Array.from({ length: budget.limit / 2 }, (_, i) => i);
    budget.addLoss(0, lossChunk(0, keys));
    budget.addLoss(1, lossChunk(0, keys));
    // Two losses: twice the bytes per group, half the groups, all of which are counted now.
    expect(budget.limit).toBe(GROUP_MEMORY_BYTES / (2 * LOSS_GROUP_BYTES));
    expect(() => budget.addLoss(1, lossChunk(1, [keys.length]))).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_GROUPS' }),
    );
  });

  it('sizes a metric group by its state (a 100-class confusion matrix per group), failing once the counted keys do not fit', () => {
    const budget = new GroupBudget({ memoryBytes: 16 * 1024 * 1024, by: 'epoch' });
    budget.addLoss(0, lossChunk(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(budget.limit).toBe(4096);
    // A confusion matrix's value per group is as large as its counts: 8 times them again.
    const perGroup = LOSS_GROUP_BYTES + METRIC_GROUP_BYTES + (METRIC_ARRAY_FACTOR + 8) * 8 * 100 * 100;
    expect(() =>
      budget.addMetric(0, metricChunk(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 100 * 100)),
    ).not.toThrow();
    expect(budget.limit).toBe(Math.floor((16 * 1024 * 1024) / perGroup));
    const error = caught(() =>
      budget.addMetric(
        0,
        metricChunk(
          1,
          Array.from({ length: 20 }, (_, i) => i),
          100 * 100,
        ),
      ),
    );
    expect(error).toMatchObject({ code: 'TOO_MANY_GROUPS', batch: 1, loss: 'confusionMatrix' });
    expect((error as LossError).message).toContain(
      `16 MiB of group states at ~${perGroup.toLocaleString('en-US')} bytes per group`,
    );
  });

  it('counts a metric group at its measured cost, not the few bytes of its arrays: ~10,800 accuracy groups fit 128 MiB', () => {
    const budget = new GroupBudget({ by: 'user' });
    const accuracy = (batch: number, keys: readonly GroupKey[]): MetricChunk => ({
      ...metricChunk(batch, keys, 2),
      metric: 'accuracy',
      groups: keys.map((key) => ({
        key,
        state: { ...createMetricState('accuracy'), counts: new Float64Array(2) },
      })),
    });
    budget.addMetric(0, accuracy(0, [0]));
    expect(budget.limit).toBe(
      Math.floor(GROUP_MEMORY_BYTES / (METRIC_GROUP_BYTES + METRIC_ARRAY_FACTOR * 16)),
    );
    expect(budget.limit).toBeLessThan(11_000);
    const keys = Array.from({ length: 11_000 }, (_, i) => i);
    expect(() => budget.addMetric(0, accuracy(1, keys))).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_GROUPS' }),
    );
  });

  it('ignores chunks without groups and refuses a bad maxGroups', () => {
    const budget = new GroupBudget({ maxGroups: 1 });
    budget.addLoss(0, { ...lossChunk(0, []), groups: undefined });
    expect(budget.groups).toBe(0);
    for (const maxGroups of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new GroupBudget({ maxGroups })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });
});
