import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { binaryCrossEntropyWithLogits } from '../losses/binaryCrossEntropyWithLogits.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { mseLoss } from '../losses/mseLoss.js';
import { multiMarginLoss } from '../losses/multiMarginLoss.js';
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

  it.each([
    // [1, , 3], written so the linter lets the hole be.
    [
      'a hole',
      Object.assign(new Array<number>(3), { 0: 1, 2: 3 }),
      'an empty slot (a hole in the array) at flat index 1',
    ],
    ['null', [1, null, 3], 'null at flat index 1'],
    ['a string', [1, 'a', 3], "'a' at flat index 1"],
    [
      'a nested hole',
      [
        [1, 2],
        [3, undefined],
      ],
      'undefined at flat index 3',
    ],
  ])(
    'reject numbers with %s as a typed error: INVALID_OPTION for a weight, INVALID_DTYPE for an input',
    (_, bad, got) => {
      const x = { data: new Float32Array(6), shape: [2, 3] };
      const weights = [
        () => crossEntropy(x, [0, 2], { weight: bad as never }),
        () => multiMarginLoss(x, [0, 2], { weight: bad as never }),
        () => binaryCrossEntropyWithLogits([0, 1, 2], [0, 1, 1], { posWeight: bad as never }),
        () => mseLoss([0, 1, 2], [0, 1, 1], { weight: bad as never }),
      ];
      for (const f of weights) {
        const e = thrown(f);
        expect(e.code).toBe('INVALID_OPTION');
        expect(e.argument).toMatch(/^(weight|posWeight)$/);
        expect(e.detail).toBe(`expected numbers, got ${got}`);
        expect(e.hint).toContain('Give every element as a number');
      }
      const input = thrown(() => mseLoss(bad as never, [0, 1, 2]));
      expect([input.code, input.loss, input.argument]).toEqual(['INVALID_DTYPE', 'mseLoss', 'input']);
    },
  );

  it('show a string option value quoted, so it is not taken for a number', () => {
    const x = { data: new Float32Array(6), shape: [2, 3] };
    const e = thrown(() => multiMarginLoss(x, [0, 2], { margin: '2' as never }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.detail).toBe("margin must be a number, got '2'");
    expect(thrown(() => crossEntropy(x, [0, 2], { ignoreIndex: '1' as never })).detail).toBe(
      "ignoreIndex must be an integer, got '1'",
    );
    expect(thrown(() => crossEntropy(x, [0, 2], { weight: 'abc' as never })).detail).toBe(
      "expected a tensor, a typed array or numbers, got 'abc'",
    );
  });

  it('report the row of an out-of-range int64 class index in a K-dim target', () => {
    // input (N=2, C=3, d=2): the bad index is the second position of row 1
    const target = { data: BigInt64Array.from([0n, 1n, 2n, 2n ** 40n]), shape: [2, 2] };
    const e = thrown(() => crossEntropy({ data: new Float32Array(12), shape: [2, 3, 2] }, target));
    expect([e.code, e.row]).toEqual(['TARGET_OUT_OF_RANGE', 1]);
  });
});
