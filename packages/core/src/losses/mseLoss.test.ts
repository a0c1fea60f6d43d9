import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { mseLoss, mseLossPartial } from './mseLoss.js';

runGoldens('MSELoss', ([input, target], options) => mseLoss(input!, target!, options));

describe('mseLoss', () => {
  it('accumulates batches into one state', () => {
    const s = mseLossPartial([0.5, 2], [1, 1]);
    mseLossPartial([3], [1], {}, s);
    expect(finalize(s, 'mean')).toBeCloseTo(mseLoss([0.5, 2, 3], [1, 1, 1]), 15);
    expect(s.rows).toBe(3);
  });
  it('rejects a weight of the wrong size', () => {
    expect(() => mseLoss([1, 2], [0, 0], { weight: [1] })).toThrow(LossError);
  });
  it('keeps float32 for float32 operands and promotes mixed ones', () => {
    const f32 = mseLoss(new Float32Array([1, 2]), new Float32Array([0, 0]), { reduction: 'none' });
    expect(f32.data).toBeInstanceOf(Float32Array);
    const mixed = mseLoss(new Float32Array([1, 2]), new Float64Array([0, 0]), { reduction: 'none' });
    expect(mixed.data).toBeInstanceOf(Float64Array);
  });
});
