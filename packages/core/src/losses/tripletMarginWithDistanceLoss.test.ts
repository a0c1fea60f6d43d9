import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { finalize } from '../state/LossState.js';
import { runGoldens } from '../testing/goldens.js';
import { cosineDistance } from './cosineDistance.js';
import { pairwiseDistance } from './pairwiseDistance.js';
import { tripletMarginLoss } from './tripletMarginLoss.js';
import {
  type DistanceFunction,
  tripletMarginWithDistanceLoss,
  tripletMarginWithDistanceLossPartial,
} from './tripletMarginWithDistanceLoss.js';

// The goldens name torch's distance functions; these are ours.
const DISTANCES: Record<string, DistanceFunction> = {
  pairwise_p1: (x, y) => pairwiseDistance(x, y, { p: 1 }),
  cosine: cosineDistance,
};

runGoldens('TripletMarginWithDistanceLoss', ([anchor, positive, negative], options) => {
  const { distanceFunction, ...rest } = options;
  const fn = typeof distanceFunction === 'string' ? DISTANCES[distanceFunction] : undefined;
  if (typeof distanceFunction === 'string' && fn === undefined)
    throw new Error(`unknown ${distanceFunction}`);
  return tripletMarginWithDistanceLoss(
    anchor!,
    positive!,
    negative!,
    fn === undefined ? rest : { ...rest, distanceFunction: fn },
  );
});

describe('tripletMarginWithDistanceLoss', () => {
  it('defaults to the L2 pairwise distance with eps 1e-6, as tripletMarginLoss', () => {
    const a = [
      [0.1, 0.5],
      [1, -1],
    ];
    const p = [
      [0.2, 0.4],
      [0.5, -1],
    ];
    const n = [
      [1, 1],
      [1, -0.9],
    ];
    expect(tripletMarginWithDistanceLoss(a, p, n, { margin: 0.5 })).toBe(
      tripletMarginLoss(a, p, n, { margin: 0.5 }),
    );
  });
  it('calls the distance function as torch does, swap included', () => {
    const calls: string[] = [];
    const fn: DistanceFunction = (x, y) => {
      calls.push(`${x.data[0]}-${y.data[0]}`);
      return pairwiseDistance(x, y);
    };
    tripletMarginWithDistanceLoss([[1]], [[2]], [[3]], { distanceFunction: fn, swap: true });
    expect(calls).toEqual(['1-2', '1-3', '2-3']);
  });
  it('validates in torch 2.x order: reduction, margin, then ranks', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as LossError).code;
      }
      return 'none';
    };
    const bad = { margin: -1, reduction: 'avg' as 'mean' };
    expect(code(() => tripletMarginWithDistanceLoss([[1]], [1], [[1]], bad))).toBe('INVALID_REDUCTION');
    expect(code(() => tripletMarginWithDistanceLoss([[1]], [1], [[1]], { margin: -1 }))).toBe(
      'INVALID_OPTION',
    );
    expect(code(() => tripletMarginWithDistanceLoss([[1]], [1], [[1]]))).toBe('SHAPE_MISMATCH');
  });
  it('refuses a distance function that is not a function, or returns non-float values', () => {
    const notFn = { distanceFunction: 'cosine' as unknown as DistanceFunction };
    expect(() => tripletMarginWithDistanceLoss([[1]], [[1]], [[1]], notFn)).toThrow(LossError);
    const ints: DistanceFunction = () => new Int32Array([1]);
    expect(() => tripletMarginWithDistanceLoss([[1]], [[1]], [[1]], { distanceFunction: ints })).toThrow(
      LossError,
    );
  });
  it('accumulates batches into one state', () => {
    const opts = { distanceFunction: cosineDistance, margin: 0.3 };
    const s = tripletMarginWithDistanceLossPartial([[0, 1]], [[1, 1]], [[1, 0]], opts);
    tripletMarginWithDistanceLossPartial([[2, 2]], [[2, 3]], [[-1, 5]], opts, s);
    const all = tripletMarginWithDistanceLoss(
      [
        [0, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 3],
      ],
      [
        [1, 0],
        [-1, 5],
      ],
      opts,
    );
    expect(finalize(s, 'mean')).toBeCloseTo(all, 15);
  });
});
