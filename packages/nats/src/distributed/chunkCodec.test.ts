import { createState, type LossState } from '@lossflow/core';
import type { LossChunk } from '@lossflow/rx';
import { describe, expect, it } from 'vitest';
import { decodeChunks, encodeChunks } from './chunkCodec.js';

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
    const batches = [
      [
        chunk(0, awkward, [
          { key: 0, state: tiny },
          { key: '9007199254740993', state: awkward },
        ]),
      ],
      [chunk(1, tiny, [{ key: Number.NaN, state: tiny }])],
    ];
    const decoded = decodeChunks(encodeChunks(batches));
    expect(decoded).toEqual(batches);
    expect(Object.is(decoded[0]![0]!.state.meanSum, -0)).toBe(true);
    expect(Object.is(decoded[1]![0]!.groups![0]!.key, Number.NaN)).toBe(true);
    expect(typeof decoded[0]![0]!.groups![1]!.key).toBe('string');
  });
});
