import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { createState, finalize } from '../state/LossState.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectGolden, goldenCall, loadGoldens, runGoldens, tolerance } from '../testing/goldens.js';
import { mseLossPartial } from './mseLoss.js';
import { nllLoss, nllLossPartial } from './nllLoss.js';

runGoldens('NLLLoss', ([input, target], options) => nllLoss(input!, target!, options));
runGoldens('NLLLoss', ([input, target], options) => nllLoss(input!, target!, options), {
  file: 'torch-goldens-extra.json',
});

const golden = (id: string) => loadGoldens().cases.find((c) => c.id === id)!;

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
}

describe('nllLoss', () => {
  it.each([
    ['Int8Array', Int8Array],
    ['Int16Array', Int16Array],
  ])('reads %s targets like Int32Array ones (golden K-dim weighted case)', (_, Ctor) => {
    const c = golden('NLLLoss#023');
    const { args, options } = goldenCall(c, 'float64', 'int32');
    const target = { data: Ctor.from(args[1]!.data as Int32Array), shape: args[1]!.shape };
    expectGolden(nllLoss(args[0]!, target, options), c.expected!.float64, tolerance('float64'), 'float64');
  });

  it('takes class weights as a number array as well as a tensor', () => {
    const c = golden('NLLLoss#005');
    const { args, options } = goldenCall(c, 'float64', 'int64');
    const weight = Array.from((options.weight as Tensor).data as Float64Array);
    expectGolden(
      nllLoss(args[0]!, args[1]!, { ...options, weight }),
      c.expected!.float64,
      tolerance('float64'),
      'float64',
    );
  });

  it('rejects a 1-D input with a 1-D target, as torch 2.x does', () => {
    const e = thrown(() => nllLoss([-1, -2, -3], new Int32Array([0, 1, 2])));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.argument).toBe('target');
    expect(e.message).toContain('[3]');
  });

  it('rejects a 0-d input', () => {
    expect(thrown(() => nllLoss(1, 0)).code).toBe('INVALID_SHAPE');
  });

  it('names the row of an out-of-range target, K-dim and negative ones included', () => {
    const x = new Float64Array(2 * 3 * 4);
    const e = thrown(() =>
      nllLoss(
        { data: x, shape: [2, 3, 4] },
        { data: new Int32Array([0, 1, 2, 0, 1, -1, 0, 0]), shape: [2, 4] },
      ),
    );
    expect(e.code).toBe('TARGET_OUT_OF_RANGE');
    expect(e.row).toBe(1);
    expect(e.message).toContain('target -1');
    const big = thrown(() => nllLoss([[0, 0]], new BigInt64Array([2n ** 40n])));
    expect(big.code).toBe('TARGET_OUT_OF_RANGE');
  });

  it('never reads the scores of ignored samples (a NaN there does not leak)', () => {
    const c = golden('NLLLoss#002');
    const { args, options } = goldenCall(c, 'float64', 'int32');
    const x = Float64Array.from(args[0]!.data as Float64Array);
    x.fill(Number.NaN, 10, 15); // row 2 has target -100
    expectGolden(
      nllLoss({ data: x, shape: args[0]!.shape }, args[1]!, options),
      c.expected!.float64,
      tolerance('float64'),
      'float64',
    );
  });

  it('finalizes an all-ignored stream to NaN (mean) and 0 (sum)', () => {
    const s = createState('nllLoss');
    nllLossPartial([[-1, -2]], new Int32Array([-100]), {}, s);
    nllLossPartial([[-1, -2]], new Int32Array([7]), { ignoreIndex: 7 }, s);
    expect(finalize(s, 'mean')).toBeNaN();
    expect(finalize(s, 'sum')).toBe(0);
    expect(s.rows).toBe(2);
  });

  it('rejects bad options and states of another loss', () => {
    expect(thrown(() => nllLoss([[0, 0]], [0], { ignoreIndex: 0.5 })).code).toBe('INVALID_OPTION');
    expect(thrown(() => nllLoss([[0, 0]], [0], { weight: [1, 2, 3] })).code).toBe('SHAPE_MISMATCH');
    expect(thrown(() => nllLoss([[0, 0]], [0.5])).code).toBe('INVALID_DTYPE');
    expect(thrown(() => nllLoss([[0, 0]], new Float32Array([0]))).code).toBe('INVALID_DTYPE');
    // @ts-expect-error 'batchmean' is klDiv's only
    expect(thrown(() => nllLoss([[0, 0]], [0], { reduction: 'batchmean' })).code).toBe('INVALID_REDUCTION');
    expect(thrown(() => nllLossPartial([[0, 0]], [0], {}, mseLossPartial([1], [1]))).code).toBe(
      'STATE_MISMATCH',
    );
  });

  it('returns the input float type for reduction none, and numbers otherwise', () => {
    const none = nllLoss(new Float32Array([-0.5, -1.5]), 1, { reduction: 'none' });
    expect(none.data).toBeInstanceOf(Float32Array);
    expect(none.shape).toEqual([]);
    const mean: number = nllLoss({ data: new Float32Array([-0.5, -1.5]), shape: [1, 2] }, [1]);
    expect(mean).toBe(1.5);
  });
});
