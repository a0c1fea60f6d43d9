import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { expectGolden, goldenCall, loadGoldens, runGoldens, tolerance } from '../testing/goldens.js';
import { poissonNllLoss, poissonNllLossPartial } from './poissonNllLoss.js';

runGoldens('PoissonNLLLoss', ([input, target], options) => poissonNllLoss(input!, target!, options));
runGoldens('PoissonNLLLoss', ([input, target], options) => poissonNllLoss(input!, target!, options), {
  file: 'torch-goldens-extra.json',
});

describe('poissonNllLoss', () => {
  it('adds the Stirling term only where the target exceeds 1 (reference §2.5 observations)', () => {
    // torch 1.13, float64: x = 2, y = 2 gives 3.3890560989 without the term and 4.0408625835 with it; y = 1 gets none.
    expect(poissonNllLoss([2], [2], { reduction: 'sum' })).toBeCloseTo(3.3890560989, 9);
    expect(poissonNllLoss([2], [2], { reduction: 'sum', full: true })).toBeCloseTo(4.0408625835, 9);
    expect(poissonNllLoss([2], [1], { full: true })).toBe(poissonNllLoss([2], [1]));
  });

  it('streams broadcast batches into the golden mean', () => {
    const c = loadGoldens('torch-goldens-extra.json').cases.find((k) => k.id === 'PoissonNLLLoss#x002')!;
    const { args } = goldenCall(c, 'float64', 'int64');
    const [x, y] = [args[0]!.data as Float64Array, args[1]!];
    const s = poissonNllLossPartial({ data: x.subarray(0, 1), shape: [1, 1] }, y, { full: true });
    poissonNllLossPartial({ data: x.subarray(1), shape: [2, 1] }, y, { full: true }, s);
    expect(s.rows).toBe(3);
    expectGolden(finalize(s, 'mean'), c.expected!.float64, tolerance('float64'), 'float64');
  });

  it('rejects options of the wrong type', () => {
    expect(() => poissonNllLoss([1], [1], { eps: Number.NaN })).toThrow(LossError);
    // @ts-expect-error full is a boolean
    expect(() => poissonNllLoss([1], [1], { full: 1 })).toThrow(LossError);
  });
});
