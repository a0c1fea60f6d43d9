import { describe, expect, expectTypeOf, it } from 'vitest';
import { LossError } from '../LossError.js';
import { createState, finalize } from '../state/LossState.js';
import type { Reduction } from '../state/reduction.js';
import type { FloatArray, Tensor } from '../tensor/tensor.js';
import { expectGolden, goldenCall, loadGoldens, runGoldens, tolerance } from '../testing/goldens.js';
import { crossEntropy, crossEntropyPartial } from './crossEntropy.js';

runGoldens('CrossEntropyLoss', ([input, target], options) => crossEntropy(input!, target!, options));
runGoldens('CrossEntropyLoss', ([input, target], options) => crossEntropy(input!, target!, options), {
  file: 'torch-goldens-extra.json',
});

const golden = (id: string, file?: string) => loadGoldens(file).cases.find((c) => c.id === id)!;

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
}

describe('crossEntropy', () => {
  it('types reduction none as a tensor and the other reductions as a number', () => {
    const x = [[1, 2, 3]];
    const y = [2];
    expectTypeOf(crossEntropy(x, y, { reduction: 'none' })).toEqualTypeOf<Tensor<FloatArray>>();
    expectTypeOf(crossEntropy(x, y)).toEqualTypeOf<number>();
    expectTypeOf(crossEntropy(x, y, { reduction: 'sum', labelSmoothing: 0.1 })).toEqualTypeOf<number>();
    const r = 'mean' as Reduction;
    expectTypeOf(crossEntropy(x, y, { reduction: r })).toEqualTypeOf<Tensor<FloatArray> | number>();
  });

  it.each([
    ['Int8Array', Int8Array],
    ['Int16Array', Int16Array],
  ])('reads %s targets like Int32Array ones (golden weighted, smoothed, in-range ignore case)', (_, Ctor) => {
    const c = golden('CrossEntropyLoss#019');
    const { args, options } = goldenCall(c, 'float32', 'int32');
    const target = { data: Ctor.from(args[1]!.data as Int32Array), shape: args[1]!.shape };
    expectGolden(
      crossEntropy(args[0]!, target, options),
      c.expected!.float32,
      tolerance('float32'),
      'float32',
    );
  });

  it('reads Uint8Array and Uint32Array targets and plain whole numbers', () => {
    const c = golden('CrossEntropyLoss#x002', 'torch-goldens-extra.json');
    const { args, options } = goldenCall(c, 'float64', 'int32');
    const t = args[1]!;
    for (const data of [Uint8Array.from(t.data as Int32Array), Uint32Array.from(t.data as Int32Array)]) {
      expectGolden(
        crossEntropy(args[0]!, { data, shape: t.shape }, options),
        c.expected!.float64,
        tolerance('float64'),
        'float64',
      );
    }
    const unbatched = golden('CrossEntropyLoss#040');
    const u = goldenCall(unbatched, 'float64', 'int32');
    const index = Number(u.args[1]!.data[0]);
    expectGolden(
      crossEntropy(u.args[0]!, index, u.options),
      unbatched.expected!.float64,
      tolerance('float64'),
      'float64',
    );
  });

  it('treats a negative labelSmoothing as 0 and rejects one above 1', () => {
    const c = golden('CrossEntropyLoss#063');
    const { args } = goldenCall(c, 'float64', 'int32');
    expect(crossEntropy(args[0]!, args[1]!, { labelSmoothing: -0.1 })).toBe(crossEntropy(args[0]!, args[1]!));
    const e = thrown(() => crossEntropy(args[0]!, args[1]!, { labelSmoothing: 1.5 }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.argument).toBe('labelSmoothing');
    expect(thrown(() => crossEntropy(args[0]!, args[1]!, { labelSmoothing: Number.NaN })).code).toBe(
      'INVALID_OPTION',
    );
  });

  it('accepts a negative non-default ignoreIndex with probability targets, and no other', () => {
    const c = golden('CrossEntropyLoss#026');
    const { args, options } = goldenCall(c, 'float64', 'int32');
    expectGolden(
      crossEntropy(args[0]!, args[1]!, { ...options, ignoreIndex: -1 }),
      c.expected!.float64,
      tolerance('float64'),
      'float64',
    );
    expect(thrown(() => crossEntropy(args[0]!, args[1]!, { ignoreIndex: 0 })).code).toBe('INVALID_OPTION');
  });

  it('promotes a float32 probability target with a float64 input to float64', () => {
    const c = golden('CrossEntropyLoss#025');
    const x = goldenCall(c, 'float64', 'int32').args[0]!;
    const t = goldenCall(c, 'float32', 'int32').args[1]!;
    const out = crossEntropy(x, t, { reduction: 'none' });
    expect(out.data).toBeInstanceOf(Float64Array);
    expectGolden(out, c.expected!.float64, tolerance('float64'), 'float64');
  });

  it('never reads the logits of ignored samples (a NaN there does not leak)', () => {
    const c = golden('CrossEntropyLoss#011');
    const { args, options } = goldenCall(c, 'float64', 'int32');
    const x = Float64Array.from(args[0]!.data as Float64Array);
    x.fill(Number.NaN, 10, 15); // row 2 has target -100
    expectGolden(
      crossEntropy({ data: x, shape: args[0]!.shape }, args[1]!, options),
      c.expected!.float64,
      tolerance('float64'),
      'float64',
    );
  });

  it('streams: batches of a K-dim golden case finalize to its mean and sum', () => {
    const mean = golden('CrossEntropyLoss#x002', 'torch-goldens-extra.json');
    const sum = golden('CrossEntropyLoss#x003', 'torch-goldens-extra.json');
    const { args, options } = goldenCall(mean, 'float32', 'int64');
    const [x, t] = [args[0]!, args[1]!];
    const { reduction: _, ...rest } = options;
    const state = createState('crossEntropy', 'float32');
    const rowX = x.data.length / x.shape[0]!;
    const rowT = t.data.length / x.shape[0]!;
    for (let n = 0; n < x.shape[0]!; n++) {
      crossEntropyPartial(
        {
          data: (x.data as Float32Array).subarray(n * rowX, (n + 1) * rowX),
          shape: [1, ...x.shape.slice(1)],
        },
        {
          data: (t.data as BigInt64Array).subarray(n * rowT, (n + 1) * rowT),
          shape: [1, ...t.shape.slice(1)],
        },
        rest,
        state,
      );
    }
    expectGolden(finalize(state, 'mean'), mean.expected!.float32, tolerance('float32'), 'float32');
    expectGolden(finalize(state, 'sum'), sum.expected!.float32, tolerance('float32'), 'float32');
  });

  it('names the row of an out-of-range target and the shape of a wrong target', () => {
    const x = { data: new Float32Array(2 * 3 * 2), shape: [2, 3, 2] };
    const e = thrown(() => crossEntropy(x, { data: new Int32Array([0, 1, 2, 3]), shape: [2, 2] }));
    expect(e.code).toBe('TARGET_OUT_OF_RANGE');
    expect(e.row).toBe(1);
    const s = thrown(() => crossEntropy(x, { data: new Int32Array([0, 1]), shape: [2] }));
    expect(s.code).toBe('SHAPE_MISMATCH');
    expect(s.message).toContain('[2, 2]');
    expect(thrown(() => crossEntropy([1, 2, 3], new Int32Array([0, 1]))).code).toBe('SHAPE_MISMATCH');
  });

  it('rejects an integer target of input shape, a bad weight and a state of another loss', () => {
    expect(thrown(() => crossEntropy([[1, 2]], new Int32Array([2]))).code).toBe('TARGET_OUT_OF_RANGE');
    expect(thrown(() => crossEntropy([[1, 2]], { data: new Int32Array([0, 1]), shape: [1, 2] })).code).toBe(
      'INVALID_DTYPE',
    );
    expect(thrown(() => crossEntropy([[1, 2]], [1], { weight: [[1, 2]] })).code).toBe('SHAPE_MISMATCH');
    expect(thrown(() => crossEntropyPartial([[1, 2]], [1], {}, createState('nllLoss'))).code).toBe(
      'STATE_MISMATCH',
    );
  });
});
