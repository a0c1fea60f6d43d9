import { createMetricState, createState, type LossState } from '@lossflow/core';
import type { LossChunk, MetricChunk, PassChunks } from '@lossflow/rx';
import { describe, expect, it } from 'vitest';
import { decodeChunks, encodeChunks } from './chunkCodec.js';
import { DistributedRunError } from './DistributedRunError.js';

function state(values: Partial<LossState>): LossState {
  return { ...createState('crossEntropy', 'float32'), ...values };
}

function chunk(batch: number, s: LossState, groups: LossChunk['groups']): LossChunk {
  return {
    loss: 'crossEntropy',
    batch,
    rows: 3,
    skipped: 1,
    state: s,
    groups,
    perRow: undefined,
    steps: { last: 7, groups: [5, 7] },
    rowShapes: { logits: [10], target: [] },
    rowDtypes: { logits: 'float32' },
    source: undefined,
  };
}

describe('encodeChunks / decodeChunks', () => {
  it('carries every float64 of the states bit for bit, -0, NaN and infinities included', () => {
    const awkward = state({
      sum: 0.1 + 0.2,
      sumErr: -2.7755575615628914e-17,
      meanSum: -0,
      meanSumErr: Number.NaN,
      weight: Number.POSITIVE_INFINITY,
      weightErr: Number.NEGATIVE_INFINITY,
      rows: 3,
    });
    const tiny = state({ sum: 5e-324, sumErr: 1.7976931348623157e308, weight: 1 / 3 });
    const batches: PassChunks[] = [
      {
        losses: [
          chunk(0, awkward, [
            { key: 0, state: tiny },
            { key: '9007199254740993', state: awkward },
          ]),
        ],
        metrics: [],
      },
      { losses: [chunk(1, tiny, [{ key: Number.NaN, state: tiny }])], metrics: [] },
    ];
    const decoded = decodeChunks(encodeChunks(batches));
    expect(decoded).toEqual(batches);
    expect(Object.is(decoded[0]!.losses[0]!.state.meanSum, -0)).toBe(true);
    expect(Object.is(decoded[1]!.losses[0]!.groups![0]!.key, Number.NaN)).toBe(true);
    expect(typeof decoded[0]!.losses[0]!.groups![1]!.key).toBe('string');
  });

  it('carries metric states losslessly: their Float64Array slots, params and layout', () => {
    const state = {
      ...createMetricState('f1', { average: 'macro', classes: 3, binary: false }),
      layout: 'multiclass:3',
      dtype: 'float64' as const,
      rows: 7,
      counts: Float64Array.of(1, 2, 2 ** 53, 0),
      sums: Float64Array.of(0.1 + 0.2, -0, Number.NaN, Number.NEGATIVE_INFINITY, 5e-324),
      moments: new Float64Array(0),
    };
    const metric: MetricChunk = {
      metric: 'f1',
      batch: 4,
      rows: 7,
      skipped: 0,
      state,
      groups: [{ key: 'a', state: { ...state, counts: Float64Array.of(3) } }],
    };
    const batches: PassChunks[] = [{ losses: [chunk(4, state0(), undefined)], metrics: [metric] }];
    const decoded = decodeChunks(encodeChunks(batches));
    expect(decoded).toEqual(batches);
    const sums = decoded[0]!.metrics[0]!.state.sums;
    expect(sums).toBeInstanceOf(Float64Array);
    expect(Object.is(sums[1], -0)).toBe(true);
    expect(Number.isNaN(sums[2])).toBe(true);
    expect(decoded[0]!.metrics[0]!.groups![0]!.state.counts).toBeInstanceOf(Float64Array);
  });
});

describe('decodeChunks of a state another version wrote', () => {
  it('refuses a protocol-1 state (per batch an array of loss chunks) with FOREIGN_STATE naming the item', () => {
    const v1 = [
      [{ loss: 'cross-entropy', batch: 0, rows: 1000, skipped: 0, state: { sum: 1, weight: 1000 } }],
    ];
    const bytes = new TextEncoder().encode(JSON.stringify(v1));
    let error: unknown;
    try {
      decodeChunks(bytes, { item: 3, file: '/data/a.arrows' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DistributedRunError);
    expect(error).toMatchObject({ code: 'FOREIGN_STATE', item: 3, file: '/data/a.arrows' });
    expect((error as Error).message).toMatch(/item 3 \(\/data\/a\.arrows\).*another lossflow version/);
    expect((error as DistributedRunError).hint).toMatch(/Upgrade every worker/);
  });

  it('refuses bytes that are not JSON, and a chunk without its state', () => {
    expect(() => decodeChunks(Uint8Array.of(0xff, 0x00))).toThrow(DistributedRunError);
    const noState = [{ l: [{ loss: 'crossEntropy', batch: 0, rows: 1 }], m: [] }];
    expect(() => decodeChunks(new TextEncoder().encode(JSON.stringify(noState)))).toThrow(
      /FOREIGN|another lossflow/,
    );
  });
});

function state0(): LossState {
  return state({ sum: 1, rows: 1 });
}
