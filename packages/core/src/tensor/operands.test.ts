import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { mseLoss } from '../losses/mseLoss.js';
import { nllLoss } from '../losses/nllLoss.js';
import { tripletMarginWithDistanceLoss } from '../losses/tripletMarginWithDistanceLoss.js';

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LossError);
    return e as LossError;
  }
  throw new Error('expected a LossError');
}

describe('tensor operands', () => {
  it('reject a { data, shape } whose length does not match its shape, naming loss and argument', () => {
    const e = thrown(() =>
      nllLoss({ data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 3] }, [0, 2]),
    );
    expect([e.code, e.loss, e.argument]).toEqual(['INVALID_SHAPE', 'nllLoss', 'input']);
    expect(e.message).toMatch(/8 elements but shape \[2, 3\] needs 6/);
    expect(thrown(() => mseLoss({ data: new Float32Array(3), shape: [2] }, new Float32Array(2))).code).toBe(
      'INVALID_SHAPE',
    );
    expect(
      thrown(() =>
        crossEntropy({ data: new Float32Array(12), shape: [4, 3] }, { data: new Int32Array(3), shape: [4] }),
      ).argument,
    ).toBe('target');
  });

  it('reject values that are not tensors at all', () => {
    const e = thrown(() =>
      tripletMarginWithDistanceLoss([[0, 1]], [[1, 1]], [[2, 2]], { distanceFunction: () => 'x' as never }),
    );
    expect(e.loss).toBe('tripletMarginWithDistanceLoss');
  });

  it('report the row of an out-of-range int64 class index in a K-dim target', () => {
    // input (N=2, C=3, d=2): the bad index is the second position of row 1
    const target = { data: BigInt64Array.from([0n, 1n, 2n, 2n ** 40n]), shape: [2, 2] };
    const e = thrown(() => crossEntropy({ data: new Float32Array(12), shape: [2, 3, 2] }, target));
    expect([e.code, e.row]).toEqual(['TARGET_OUT_OF_RANGE', 1]);
  });
});
