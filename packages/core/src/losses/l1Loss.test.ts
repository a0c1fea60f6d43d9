import { describe, expect, it } from 'vitest';
import { runGoldens } from '../testing/goldens.js';
import { l1Loss } from './l1Loss.js';

runGoldens('L1Loss', ([input, target], options) => l1Loss(input!, target!, options));

describe('l1Loss', () => {
  it('weights elementwise and normalises the mean by Σ w (torch 2.x)', () => {
    expect(l1Loss([1, 2, 4], [0, 0, 0], { weight: [1, 0, 3] })).toBeCloseTo((1 + 12) / 4, 15);
  });
});
