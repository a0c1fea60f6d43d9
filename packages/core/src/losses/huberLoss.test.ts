import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { goldenCall, loadGoldens, num, runGoldens } from '../testing/goldens.js';
import { huberLoss, huberLossPartial } from './huberLoss.js';

runGoldens('HuberLoss', ([input, target], options) => huberLoss(input!, target!, options));
runGoldens('HuberLoss', ([input, target], options) => huberLoss(input!, target!, options), {
  file: 'torch-goldens-extra.json',
});

describe('huberLoss', () => {
  it("normalises 'mean' by Σ w with torch 2.x's elementwise weight", () => {
    const c = loadGoldens().cases.find((k) => k.id === 'HuberLoss#004')!;
    const { args, options } = goldenCall(c, 'float64', 'int64');
    const l = c.expected!.float64.data.map(num);
    const w = l.map((_, i) => (i % 3) + 0.5);
    const expected = l.reduce((s, v, i) => s + v * w[i]!, 0) / w.reduce((s, v) => s + v, 0);
    const weight = { data: Float64Array.from(w), shape: args[0]!.shape };
    expect(huberLoss(args[0]!, args[1]!, { ...options, reduction: 'mean', weight })).toBeCloseTo(
      expected,
      13,
    );
    const s = huberLossPartial(args[0]!, args[1]!, { delta: options.delta as number, weight });
    expect(finalize(s, 'mean')).toBeCloseTo(expected, 13);
  });

  it.each([0, -1, Number.NaN])('rejects delta = %s', (delta) => {
    expect(() => huberLoss([1], [2], { delta })).toThrow(LossError);
  });
});
