import { describe, expect, it } from 'vitest';
import { didYouMean } from './didYouMean.js';

describe('didYouMean', () => {
  it('finds a near miss', () => {
    expect(didYouMean('cross-entropie', ['mse', 'cross-entropy', 'nll'])).toBe('cross-entropy');
    expect(didYouMean('evl', ['eval', 'demo'])).toBe('eval');
  });

  it('offers nothing for a word that is far from every candidate', () => {
    expect(didYouMean('banana', ['mse', 'nll', 'ctc'])).toBeUndefined();
  });
});
