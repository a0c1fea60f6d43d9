import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { runGoldens } from '../testing/goldens.js';
import { huberLoss } from './huberLoss.js';
import { l1Loss } from './l1Loss.js';
import { smoothL1Loss } from './smoothL1Loss.js';

runGoldens('SmoothL1Loss', ([input, target], options) => smoothL1Loss(input!, target!, options));
runGoldens('SmoothL1Loss', ([input, target], options) => smoothL1Loss(input!, target!, options), {
  file: 'torch-goldens-extra.json',
});

const d = [0, 0.25, -0.5, 1, -1, 1.5, -3, 2];

describe('smoothL1Loss', () => {
  it('uses |d| − β/2 beyond β (reference §2.11 observation, β = 2)', () => {
    const out = smoothL1Loss(d, new Array(d.length).fill(0), { beta: 2, reduction: 'none' });
    expect(Array.from(out.data)).toEqual([0, 0.015625, 0.0625, 0.25, 0.25, 0.5625, 2, 1]);
  });

  it('is L1 at β = 0 and Huber(δ = β)/β for β > 0', () => {
    const zeros = new Array(d.length).fill(0);
    expect(smoothL1Loss(d, zeros, { beta: 0 })).toBe(l1Loss(d, zeros));
    expect(smoothL1Loss(d, zeros, { beta: 0.5 })).toBeCloseTo(huberLoss(d, zeros, { delta: 0.5 }) / 0.5, 14);
  });

  it.each([-1, Number.NaN])('rejects beta = %s', (beta) => {
    expect(() => smoothL1Loss([1], [2], { beta })).toThrow(LossError);
  });
});
