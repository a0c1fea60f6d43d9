import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  expectGolden,
  type GoldenCase,
  goldenCall,
  loadGoldens,
  runGoldens,
  tolerance,
} from '../testing/goldens.js';
import { ctcLoss, ctcLossPartial } from './ctcLoss.js';

const call = ([logProbs, targets, inputLengths, targetLengths]: Tensor[], options: Record<string, unknown>) =>
  ctcLoss(logProbs!, targets!, inputLengths!, targetLengths!, options);

runGoldens('CTCLoss', call, { relF64: 1e-9 });

// T = 2000, C = 50, S = 200 from scripts/fixtures/gen_ctc_long.py: the 'none' case runs through the
// harness; torch's 'mean' and 'sum' of the same call are in the file's meta.reductions.
const LONG = 'torch-goldens-ctc-long.json';
runGoldens('CTCLoss', call, { relF64: 1e-9, file: LONG });

describe('ctcLoss over 2000 frames (log space, no underflow)', () => {
  const file = loadGoldens(LONG);
  const long = file.cases[0] as GoldenCase;
  const reductions = file.meta.reductions as Record<string, NonNullable<GoldenCase['expected']>>;
  it('is a case of the promised size whose likelihood underflows in probability space', () => {
    expect(long.inputs.log_probs!.shape).toEqual([2000, 2, 50]);
    expect(long.inputs.targets!.shape).toEqual([2, 200]);
    const loss = Number(long.expected!.float64.data[0]);
    expect(Math.exp(-loss)).toBe(0);
  });
  for (const float of ['float64', 'float32'] as const) {
    for (const reduction of ['mean', 'sum'] as const) {
      it(`matches torch's ${reduction} in ${float}`, () => {
        const { args, options } = goldenCall(long, float, 'int64');
        const got = call(args, { ...options, reduction });
        expect(Number.isFinite(got)).toBe(true);
        expectGolden(got, reductions[reduction]![float], tolerance(float, 1e-9), float);
      });
    }
  }
});

/** Uniform log-probabilities `[T, N, C]`: every path has probability C^−T. */
function uniform(frames: number, batch: number, classes: number): Tensor<Float64Array> {
  return {
    data: new Float64Array(frames * batch * classes).fill(-Math.log(classes)),
    shape: [frames, batch, classes],
  };
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LossError);
    return (e as LossError).code;
  }
  return 'no error';
}

describe('ctcLoss', () => {
  it('counts alignments: T = 2, C = 3, target [1] has 3 paths (1-, -1, 11) of probability 1/9', () => {
    const loss = ctcLoss(uniform(2, 1, 3), [[1]], [2], [1], { reduction: 'sum' });
    expect(loss).toBeCloseTo(-Math.log(3 / 9), 14);
  });
  it('takes the same labels padded or concatenated, lengths as Int32Array, BigInt64Array or numbers', () => {
    const lp = uniform(5, 2, 4);
    const padded = ctcLoss(
      lp,
      [
        [1, 2, 0],
        [3, 3, 3],
      ],
      new Int32Array([5, 4]),
      new BigInt64Array([2n, 3n]),
      {
        reduction: 'none',
      },
    );
    const concatenated = ctcLoss(lp, new BigInt64Array([1n, 2n, 3n, 3n, 3n]), [5, 4], [2, 3], {
      reduction: 'none',
    });
    expect(Array.from(concatenated.data)).toEqual(Array.from(padded.data));
    // "3,3,3" needs 5 frames but has 4: impossible.
    expect(padded.data[1]).toBe(Number.POSITIVE_INFINITY);
  });
  it('replaces only +Infinity with 0 under zeroInfinity, and the mean divides by max(L, 1) first', () => {
    const lp = uniform(3, 3, 3);
    const targets = [
      [1, 1],
      [1, 2],
      [0, 0],
    ];
    // "1,1" needs 3 frames; sample 0 has 2.
    const raw = ctcLoss(lp, targets, [2, 3, 3], [2, 2, 0], { reduction: 'none' });
    expect(raw.data[0]).toBe(Number.POSITIVE_INFINITY);
    const none = ctcLoss(lp, targets, [2, 3, 3], [2, 2, 0], { reduction: 'none', zeroInfinity: true });
    expect(none.data[0]).toBe(0);
    expect(none.data[1]).toBe(raw.data[1]);
    const mean = ctcLoss(lp, targets, [2, 3, 3], [2, 2, 0], { zeroInfinity: true });
    expect(mean).toBeCloseTo((0 / 2 + none.data[1]! / 2 + none.data[2]! / 1) / 3, 14);
    expect(ctcLoss(lp, targets, [2, 3, 3], [2, 2, 0])).toBe(Number.POSITIVE_INFINITY);
  });
  it('gives 0 frames loss 0 for an empty target and +Infinity otherwise (torch 2.x)', () => {
    const out = ctcLoss(uniform(4, 2, 3), [[1], [1]], [0, 0], [0, 1], { reduction: 'none' });
    expect(Array.from(out.data)).toEqual([0, Number.POSITIVE_INFINITY]);
  });
  it('returns a 0-d loss for an unbatched [T, C] input, and accepts targets [S] or [1, S]', () => {
    const lp = { data: new Float64Array(12).fill(-Math.log(3)), shape: [4, 3] };
    const a = ctcLoss(lp, [1, 2], 4, 2, { reduction: 'none' });
    const b = ctcLoss(lp, [[1, 2, 0]], [4], [2], { reduction: 'none' });
    expect(a.shape).toEqual([]);
    expect(a.data[0]).toBe(b.data[0]);
    expect(ctcLoss(lp, [1, 2], 4, 2)).toBeCloseTo(a.data[0]! / 2, 15);
  });
  it('refuses what torch 1.13 turns into garbage: labels out of range, negative lengths', () => {
    const lp = uniform(4, 1, 3);
    expect(codeOf(() => ctcLoss(lp, [[3]], [4], [1]))).toBe('TARGET_OUT_OF_RANGE');
    expect(codeOf(() => ctcLoss(lp, [[-1]], [4], [1]))).toBe('TARGET_OUT_OF_RANGE');
    expect(codeOf(() => ctcLoss(lp, [[1]], [4], [-1]))).toBe('INVALID_VALUE');
    expect(codeOf(() => ctcLoss(lp, [[1]], [-1], [1]))).toBe('INVALID_VALUE');
    // labels past a sequence's length are never read, so any value is fine there
    expect(Number.isFinite(ctcLoss(lp, [[1, 99]], [4], [1]))).toBe(true);
  });
  it('refuses malformed arguments with clear errors', () => {
    const lp = uniform(4, 2, 3);
    expect(codeOf(() => ctcLoss(lp, [[1], [1]], [4], [1, 1]))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => ctcLoss(lp, [1, 1, 1], [4, 4], [1, 1]))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => ctcLoss(lp, [[1], [1]], new Float32Array([4, 4]), [1, 1]))).toBe('INVALID_DTYPE');
    expect(codeOf(() => ctcLoss(lp, [[1], [1]], [4.5, 4], [1, 1]))).toBe('INVALID_VALUE');
    expect(codeOf(() => ctcLoss(lp, [[1], [1]], [4, 4], [1, 1], { blank: 3 }))).toBe('INVALID_OPTION');
    expect(codeOf(() => ctcLoss(uniform(4, 0, 3), [], [], []))).toBe('INVALID_SHAPE');
    expect(codeOf(() => ctcLoss({ data: new Float64Array(3), shape: [3] }, [1], [1], [1]))).toBe(
      'INVALID_SHAPE',
    );
  });
  it('accumulates batches into one state, the mean still per target length', () => {
    const lp = uniform(5, 1, 4);
    const s = ctcLossPartial(lp, [[1, 2]], [5], [2]);
    ctcLossPartial(lp, [[3, 0]], [4], [1], {}, s);
    const both = ctcLoss(
      uniform(5, 2, 4),
      [
        [1, 2],
        [3, 0],
      ],
      [5, 4],
      [2, 1],
    );
    expect(finalize(s, 'mean')).toBeCloseTo(both, 14);
    expect(s.rows).toBe(2);
  });
});
