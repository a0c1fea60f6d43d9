import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { hingeEmbeddingLoss, hingeEmbeddingLossPartial } from './hingeEmbeddingLoss.js';

runGoldens('HingeEmbeddingLoss', ([input, target], options) => hingeEmbeddingLoss(input!, target!, options));

describe('hingeEmbeddingLoss', () => {
  it('gives a label that is neither 1 nor −1 both terms (spec §2.16: y=0, x=0.2 → 1.0)', () => {
    expect(hingeEmbeddingLoss([0.2], [0], { reduction: 'sum' })).toBeCloseTo(1, 15);
  });
  it('broadcasts input and target both ways', () => {
    expect(hingeEmbeddingLoss([[0.5], [2]], [1, -1, 1], { reduction: 'none' }).shape).toEqual([2, 3]);
  });
  it('rejects a margin that is not a number', () => {
    expect(() => hingeEmbeddingLoss([1], [1], { margin: '1' as unknown as number })).toThrow(LossError);
  });
  it('accumulates batches into one state', () => {
    const s = hingeEmbeddingLossPartial([0.3, 0.4], [1, -1], { margin: 2 });
    hingeEmbeddingLossPartial([3], [-1], { margin: 2 }, s);
    expect(finalize(s, 'mean')).toBeCloseTo(
      hingeEmbeddingLoss([0.3, 0.4, 3], [1, -1, -1], { margin: 2 }),
      15,
    );
  });
});
