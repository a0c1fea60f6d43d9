import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { cosineEmbeddingLoss, cosineEmbeddingLossPartial } from './cosineEmbeddingLoss.js';

runGoldens('CosineEmbeddingLoss', ([input1, input2, target], options) =>
  cosineEmbeddingLoss(input1!, input2!, target!, options),
);

describe('cosineEmbeddingLoss', () => {
  it('broadcasts a [1, D] input against [N, D]', () => {
    const got = cosineEmbeddingLoss(
      [[1, 0]],
      [
        [1, 0],
        [0, 1],
      ],
      [1, 1],
      { reduction: 'none' },
    );
    expect(got.shape).toEqual([2]);
    // cos = 1 / (1 + ε) with torch's ε = fround(1e-12)
    expect(got.data[0]).toBeCloseTo(1 - 1 / (1 + Math.fround(1e-12)), 20);
    expect(got.data[1]).toBeCloseTo(1, 12);
  });
  it('keeps the result float32 for float32 inputs whatever the target type', () => {
    const x = new Float32Array([1, 2, 3]);
    const out = cosineEmbeddingLoss(x, x, { data: new Float64Array([1]), shape: [] }, { reduction: 'none' });
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.shape).toEqual([]);
  });
  it('refuses a 0-d target with 2-d inputs', () => {
    expect(() => cosineEmbeddingLoss([[1, 2]], [[1, 2]], { data: new Float64Array([1]), shape: [] })).toThrow(
      LossError,
    );
  });
  it('accumulates batches into one state', () => {
    const s = cosineEmbeddingLossPartial([[1, 2]], [[2, 1]], [1], { margin: 0.1 });
    cosineEmbeddingLossPartial([[1, 0]], [[1, 1]], [-1], { margin: 0.1 }, s);
    const all = cosineEmbeddingLoss(
      [
        [1, 2],
        [1, 0],
      ],
      [
        [2, 1],
        [1, 1],
      ],
      [1, -1],
      { margin: 0.1 },
    );
    expect(finalize(s, 'mean')).toBeCloseTo(all, 15);
  });
});
