import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { expectGolden, goldenCall, loadGoldens, runGoldens, tolerance } from '../testing/goldens.js';
import { klDiv, klDivPartial } from './klDiv.js';
import { mseLossPartial } from './mseLoss.js';

runGoldens('KLDivLoss', ([input, target], options) => klDiv(input!, target!, options));
runGoldens('KLDivLoss', ([input, target], options) => klDiv(input!, target!, options), {
  file: 'torch-goldens-extra.json',
});

const golden = (id: string) => loadGoldens().cases.find((c) => c.id === id)!;

describe('klDiv', () => {
  it('streams row batches into the golden batchmean', () => {
    const c = golden('KLDivLoss#007');
    const { args, options } = goldenCall(c, 'float64', 'int64');
    const [x, y] = [args[0]!.data as Float64Array, args[1]!.data as Float64Array];
    const s = klDivPartial(
      { data: x.subarray(0, 4), shape: [1, 4] },
      { data: y.subarray(0, 4), shape: [1, 4] },
    );
    // A partial form takes no reduction: finalize applies it.
    const { reduction: _, ...partialOptions } = options as { reduction?: unknown };
    klDivPartial(
      { data: x.subarray(4), shape: [2, 4] },
      { data: y.subarray(4), shape: [2, 4] },
      partialOptions,
      s,
    );
    expect(s.rows).toBe(3);
    expectGolden(finalize(s, 'batchmean'), c.expected!.float64, tolerance('float64'), 'float64');
  });

  it("finalizes 'batchmean' for klDiv states only", () => {
    expect(() => finalize(mseLossPartial([1], [2]), 'batchmean')).toThrow(LossError);
    expect(() => klDiv([1], [1], { reduction: 'avg' as 'sum' })).toThrow(LossError);
  });

  it('computes xlogy(y, y) − y·x: 0 where y = 0 for finite x, NaN for y < 0 or 0·inf', () => {
    const out = klDiv([-1, Number.NEGATIVE_INFINITY, -1], [0, 0, -0.5], { reduction: 'none' });
    expect(Array.from(out.data)).toEqual([0, Number.NaN, Number.NaN]);
  });
});
