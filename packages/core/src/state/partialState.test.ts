import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { crossEntropyPartial } from '../losses/crossEntropy.js';
import { klDivPartial } from '../losses/klDiv.js';
import { createState } from './LossState.js';
import { partialState } from './partialState.js';

describe('partial states', () => {
  it('refuse to accumulate rows of another loss', () => {
    expect(() => crossEntropyPartial([[1, 2]], [0], {}, createState('nllLoss'))).toThrow(LossError);
    expect(() => klDivPartial([1], [1], {}, createState('mseLoss'))).toThrow(LossError);
    expect(() => partialState('crossEntropy', 'float32', createState('nllLoss'))).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH', loss: 'crossEntropy', argument: 'into' }),
    );
  });

  it('widen a float32 state to float64 once a float64 batch joins', () => {
    const state = createState('mseLoss', 'float32');
    expect(partialState('mseLoss', 'float64', state)).toBe(state);
    expect(state.dtype).toBe('float64');
  });
});
