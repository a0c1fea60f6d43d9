import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { runGoldens } from '../testing/goldens.js';
import { binaryCrossEntropyWithLogits } from './binaryCrossEntropyWithLogits.js';

runGoldens('BCEWithLogitsLoss', ([input, target], options) =>
  binaryCrossEntropyWithLogits(input!, target!, options),
);
runGoldens(
  'BCEWithLogitsLoss',
  ([input, target], options) => binaryCrossEntropyWithLogits(input!, target!, options),
  { file: 'torch-goldens-extra.json' },
);

describe('binaryCrossEntropyWithLogits', () => {
  it("keeps torch 2.x's tiny losses that the 1.13 formula rounds to 0 (reference §2.9)", () => {
    // x = 80, y = 1: exact loss log1p(exp(−80)) = 1.8048513878454153e-35; torch 1.13 gives 0.
    const l = binaryCrossEntropyWithLogits([80], [1], { reduction: 'sum' });
    expect(Math.abs(l - 1.8048513878454153e-35)).toBeLessThan(1e-12 * 1.8048513878454153e-35);
  });

  it('propagates NaN for infinite logits as torch does (0·inf)', () => {
    const out = binaryCrossEntropyWithLogits([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY], [1, 0], {
      reduction: 'none',
    });
    expect(out.data[0]).toBeNaN();
    expect(out.data[1]).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a posWeight that does not match the trailing dimensions', () => {
    const x = { data: new Float32Array(2 * 3 * 2 * 2), shape: [2, 3, 2, 2] };
    expect(() => binaryCrossEntropyWithLogits(x, x, { posWeight: [1, 2, 3] })).toThrow(LossError);
    expect(() =>
      binaryCrossEntropyWithLogits(x, x, { posWeight: { data: new Float32Array(3), shape: [3, 1, 1] } }),
    ).not.toThrow();
  });
});
