import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { runGoldens } from '../testing/goldens.js';
import { binaryCrossEntropy } from './binaryCrossEntropy.js';

runGoldens('BCELoss', ([input, target], options) => binaryCrossEntropy(input!, target!, options));
runGoldens('BCELoss', ([input, target], options) => binaryCrossEntropy(input!, target!, options), {
  file: 'torch-goldens-extra.json',
});

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
}

describe('binaryCrossEntropy', () => {
  it('does not normalise by the weights (reference §2.8 observation)', () => {
    // torch: x = [0.2, 0.7], y = [0, 1], w = [1, 3] gives 0.6465842.
    expect(
      binaryCrossEntropy(new Float32Array([0.2, 0.7]), new Float32Array([0, 1]), { weight: [1, 3] }),
    ).toBeCloseTo(0.6465842, 6);
  });

  it.each([
    ['NaN', Number.NaN],
    ['1.5', 1.5],
    ['-0.1', -0.1],
  ])('rejects input %s with INPUT_OUT_OF_RANGE, naming its row', (_, bad) => {
    const x = { data: new Float64Array([0.5, 0.5, 0.5, bad]), shape: [2, 2] };
    const e = thrown(() =>
      binaryCrossEntropy(x, { data: new Float64Array(4), shape: [2, 2] }, { reduction: 'none' }),
    );
    expect(e.code).toBe('INPUT_OUT_OF_RANGE');
    expect(e.row).toBe(1);
    expect(e.argument).toBe('input');
  });

  it('requires equal shapes and a weight that does not enlarge the input', () => {
    expect(thrown(() => binaryCrossEntropy([0.5, 0.5], [[0], [1]])).code).toBe('SHAPE_MISMATCH');
    expect(
      thrown(() =>
        binaryCrossEntropy([0.5, 0.5], [0, 1], {
          weight: [
            [1, 2],
            [3, 4],
          ],
        }),
      ).code,
    ).toBe('SHAPE_MISMATCH');
  });
});
