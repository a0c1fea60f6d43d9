/**
 * Batch-split independence of the partial forms of the margin, embedding, Gaussian NLL, triplet
 * and CTC losses: for any split of the rows into
 * batches, accumulating the batches (into one state, or merging per-batch states) and finalizing
 * gives the one-shot `'mean'` and `'sum'` within 1e-12 relative (float64).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finalize, type LossState, mergeStates } from '../state/LossState.js';
import { numel, type Tensor, type TensorData } from '../tensor/tensor.js';
import { cosineDistance } from './cosineDistance.js';
import { cosineEmbeddingLoss, cosineEmbeddingLossPartial } from './cosineEmbeddingLoss.js';
import { ctcLoss, ctcLossPartial } from './ctcLoss.js';
import { gaussianNllLoss, gaussianNllLossPartial } from './gaussianNllLoss.js';
import { hingeEmbeddingLoss, hingeEmbeddingLossPartial } from './hingeEmbeddingLoss.js';
import { marginRankingLoss, marginRankingLossPartial } from './marginRankingLoss.js';
import { multilabelMarginLoss, multilabelMarginLossPartial } from './multilabelMarginLoss.js';
import { multilabelSoftMarginLoss, multilabelSoftMarginLossPartial } from './multilabelSoftMarginLoss.js';
import { multiMarginLoss, multiMarginLossPartial } from './multiMarginLoss.js';
import { pairwiseDistance } from './pairwiseDistance.js';
import { softMarginLoss, softMarginLossPartial } from './softMarginLoss.js';
import { tripletMarginLoss, tripletMarginLossPartial } from './tripletMarginLoss.js';
import {
  type DistanceFunction,
  tripletMarginWithDistanceLoss,
  tripletMarginWithDistanceLossPartial,
} from './tripletMarginWithDistanceLoss.js';

type Args = readonly Tensor[];
type Options = Record<string, unknown>;

/** One loss under test: how to draw a batch, cut its rows, and call the loss both ways. */
interface SplitCase {
  name: string;
  draw: fc.Arbitrary<{ args: Args; rows: number; options: Options }>;
  slice(args: Args, from: number, to: number): Args;
  oneShot(args: Args, options: Options): Tensor | number;
  partial(args: Args, options: Options, into?: LossState): LossState;
}

const value = (lo: number, hi: number) => fc.integer({ min: lo * 64, max: hi * 64 }).map((v) => v / 64);
const sign = fc.constantFrom(1, -1);

function floats(shape: readonly number[], v: fc.Arbitrary<number> = value(-3, 3)): fc.Arbitrary<Tensor> {
  return fc.array(v, { minLength: numel(shape), maxLength: numel(shape) }).map((d) => ({
    data: Float64Array.from(d),
    shape,
  }));
}

/** Rows [from, to) along dimension 0 (a copy of the same array type). */
function rowsOf(t: Tensor, from: number, to: number): Tensor {
  const per = t.shape.length === 0 ? 1 : numel(t.shape.slice(1));
  return { data: t.data.slice(from * per, to * per) as TensorData, shape: [to - from, ...t.shape.slice(1)] };
}

const sliceAll = (args: Args, from: number, to: number): Args => args.map((t) => rowsOf(t, from, to));

/** Draws N and one tensor per shape template, where `n` in a template stands for N. */
function batch(
  shapes: readonly (readonly (number | 'n')[])[],
  options: fc.Arbitrary<Options>,
  values: readonly fc.Arbitrary<number>[] = [],
): fc.Arbitrary<{ args: Args; rows: number; options: Options }> {
  return fc.integer({ min: 1, max: 7 }).chain((rows) =>
    fc.record({
      args: fc.tuple(
        ...shapes.map((s, i) =>
          floats(
            s.map((d) => (d === 'n' ? rows : d)),
            values[i],
          ),
        ),
      ),
      rows: fc.constant(rows),
      options,
    }),
  );
}

const DISTANCES: readonly (DistanceFunction | undefined)[] = [
  undefined,
  cosineDistance,
  (x, y) => pairwiseDistance(x, y, { p: 1 }),
];

const cases: SplitCase[] = [
  {
    name: 'gaussianNllLoss',
    draw: batch(
      [
        ['n', 3],
        ['n', 3],
        ['n', 3],
      ],
      fc.record({ full: fc.boolean(), eps: fc.constantFrom(1e-6, 0.1) }),
      [value(-3, 3), value(-3, 3), value(0, 4)],
    ),
    slice: sliceAll,
    oneShot: ([x, y, v], o) => gaussianNllLoss(x!, y!, v!, o),
    partial: ([x, y, v], o, into) => gaussianNllLossPartial(x!, y!, v!, o, into),
  },
  {
    name: 'softMarginLoss',
    draw: batch(
      [
        ['n', 2],
        ['n', 2],
      ],
      fc.constant({}),
      [value(-5, 5), sign],
    ),
    slice: sliceAll,
    oneShot: ([x, y], o) => softMarginLoss(x!, y!, o),
    partial: ([x, y], o, into) => softMarginLossPartial(x!, y!, o, into),
  },
  {
    name: 'multilabelSoftMarginLoss',
    draw: batch(
      [
        ['n', 4],
        ['n', 4],
      ],
      fc.option(floats([4], value(0, 2)), { nil: undefined }).map((weight) => (weight ? { weight } : {})),
      [value(-5, 5), value(0, 1)],
    ),
    slice: sliceAll,
    oneShot: ([x, y], o) => multilabelSoftMarginLoss(x!, y!, o),
    partial: ([x, y], o, into) => multilabelSoftMarginLossPartial(x!, y!, o, into),
  },
  {
    name: 'cosineEmbeddingLoss',
    draw: batch([['n', 3], ['n', 3], ['n']], fc.record({ margin: value(-1, 1) }), [
      value(-2, 2),
      value(-2, 2),
      sign,
    ]),
    slice: sliceAll,
    oneShot: ([a, b, y], o) => cosineEmbeddingLoss(a!, b!, y!, o),
    partial: ([a, b, y], o, into) => cosineEmbeddingLossPartial(a!, b!, y!, o, into),
  },
  {
    name: 'marginRankingLoss',
    draw: batch([['n'], ['n'], ['n']], fc.record({ margin: value(-1, 1) }), [
      value(-2, 2),
      value(-2, 2),
      sign,
    ]),
    slice: sliceAll,
    oneShot: ([a, b, y], o) => marginRankingLoss(a!, b!, y!, o),
    partial: ([a, b, y], o, into) => marginRankingLossPartial(a!, b!, y!, o, into),
  },
  {
    name: 'hingeEmbeddingLoss',
    draw: batch(
      [
        ['n', 2],
        ['n', 2],
      ],
      fc.record({ margin: value(0, 2) }),
      [value(-2, 3), sign],
    ),
    slice: sliceAll,
    oneShot: ([x, y], o) => hingeEmbeddingLoss(x!, y!, o),
    partial: ([x, y], o, into) => hingeEmbeddingLossPartial(x!, y!, o, into),
  },
  {
    name: 'multilabelMarginLoss',
    draw: batch([['n', 4]], fc.constant({})).chain(({ args, rows, options }) =>
      // Each row: some labels, then −1 and anything in range after it.
      fc
        .array(fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 4, maxLength: 4 }), {
          minLength: rows,
          maxLength: rows,
        })
        .map((labels) => ({
          args: [...args, { data: Int32Array.from(labels.flat()), shape: [rows, 4] }],
          rows,
          options,
        })),
    ),
    slice: sliceAll,
    oneShot: ([x, t], o) => multilabelMarginLoss(x!, t!, o),
    partial: ([x, t], o, into) => multilabelMarginLossPartial(x!, t!, o, into),
  },
  {
    name: 'multiMarginLoss',
    draw: batch(
      [['n', 5]],
      fc.record(
        { p: fc.constantFrom(1 as const, 2 as const), margin: value(0, 2), weight: floats([5], value(0, 2)) },
        { requiredKeys: ['p', 'margin'] },
      ),
    ).chain(({ args, rows, options }) =>
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: rows, maxLength: rows }).map((y) => ({
        args: [...args, { data: BigInt64Array.from(y.map(BigInt)), shape: [rows] }],
        rows,
        options,
      })),
    ),
    slice: sliceAll,
    oneShot: ([x, y], o) => multiMarginLoss(x!, y!, o),
    partial: ([x, y], o, into) => multiMarginLossPartial(x!, y!, o, into),
  },
  {
    name: 'tripletMarginLoss',
    draw: batch(
      [
        ['n', 3],
        ['n', 3],
        ['n', 3],
      ],
      fc.record({
        margin: value(0.25, 2),
        p: fc.constantFrom(1, 2, 3, Number.POSITIVE_INFINITY),
        swap: fc.boolean(),
      }),
    ),
    slice: sliceAll,
    oneShot: ([a, p, n], o) => tripletMarginLoss(a!, p!, n!, o),
    partial: ([a, p, n], o, into) => tripletMarginLossPartial(a!, p!, n!, o, into),
  },
  {
    name: 'tripletMarginWithDistanceLoss',
    draw: batch(
      [
        ['n', 3],
        ['n', 3],
        ['n', 3],
      ],
      fc.record(
        { distanceFunction: fc.constantFrom(...DISTANCES), margin: value(0.25, 2), swap: fc.boolean() },
        { requiredKeys: ['margin', 'swap'] },
      ),
    ).map((b) => {
      const { distanceFunction, ...rest } = b.options;
      return { ...b, options: distanceFunction === undefined ? rest : b.options };
    }),
    slice: sliceAll,
    oneShot: ([a, p, n], o) => tripletMarginWithDistanceLoss(a!, p!, n!, o),
    partial: ([a, p, n], o, into) => tripletMarginWithDistanceLossPartial(a!, p!, n!, o, into),
  },
  ctcCase(),
];

/** CTC batches: log-probs [T, N, C] cut along N, with padded or concatenated targets. */
function ctcCase(): SplitCase {
  const T = 9;
  const C = 4;
  const S = 3;
  const draw = fc.integer({ min: 1, max: 6 }).chain((rows) =>
    fc.record({
      rows: fc.constant(rows),
      lp: floats([T, rows, C], value(-4, 0)),
      labels: fc.array(fc.integer({ min: 0, max: C - 1 }), { minLength: rows * S, maxLength: rows * S }),
      targetLengths: fc.array(fc.integer({ min: 0, max: S }), { minLength: rows, maxLength: rows }),
      inputLengths: fc.array(fc.integer({ min: 0, max: T }), { minLength: rows, maxLength: rows }),
      concatenated: fc.boolean(),
      options: fc.record({ blank: fc.constantFrom(0, 2), zeroInfinity: fc.boolean() }),
    }),
  );
  // args: [logProbs [T, N, C], padded targets [N, S], inputLengths [N], targetLengths [N], concatenated flag [1]]
  const toCall = ([lp, targets, il, tl, flag]: Args): Args => {
    if (flag!.data[0] === 0) return [lp!, targets!, il!, tl!];
    const labels: number[] = [];
    for (let b = 0; b < tl!.data.length; b++) {
      for (let k = 0; k < Number(tl!.data[b]); k++) labels.push(Number(targets!.data[b * S + k]));
    }
    return [lp!, { data: Int32Array.from(labels), shape: [labels.length] }, il!, tl!];
  };
  return {
    name: 'ctcLoss',
    draw: draw.map((d) => ({
      rows: d.rows,
      options: d.options,
      args: [
        d.lp,
        { data: Int32Array.from(d.labels), shape: [d.rows, S] },
        { data: Int32Array.from(d.inputLengths), shape: [d.rows] },
        { data: Int32Array.from(d.targetLengths), shape: [d.rows] },
        { data: Int32Array.of(d.concatenated ? 1 : 0), shape: [1] },
      ],
    })),
    slice: ([lp, targets, il, tl, flag], from, to) => {
      const n = lp!.shape[1]!;
      const out = new Float64Array(T * (to - from) * C);
      for (let t = 0; t < T; t++)
        out.set(lp!.data.subarray((t * n + from) * C, (t * n + to) * C) as Float64Array, t * (to - from) * C);
      return [
        { data: out, shape: [T, to - from, C] },
        rowsOf(targets!, from, to),
        rowsOf(il!, from, to),
        rowsOf(tl!, from, to),
        flag!,
      ];
    },
    oneShot: (args, o) => {
      const [lp, targets, il, tl] = toCall(args);
      return ctcLoss(lp!, targets!, il!, tl!, o);
    },
    partial: (args, o, into) => {
      const [lp, targets, il, tl] = toCall(args);
      return ctcLossPartial(lp!, targets!, il!, tl!, o, into);
    },
  };
}

/** Sorted distinct cut points strictly inside (0, rows). */
const cuts = (rows: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, rows - 1) }), { maxLength: Math.max(0, rows - 1) })
    .map((c) => c.filter((x) => x < rows).sort((a, b) => a - b));

function close(got: number, exp: number, scale: number): boolean {
  if (!Number.isFinite(exp)) return Object.is(got, exp) || (Number.isNaN(exp) && Number.isNaN(got));
  return Math.abs(got - exp) <= 1e-12 * Math.max(Math.abs(exp), scale);
}

describe('partial states of the margin, embedding, Gaussian NLL, triplet and CTC losses merge exactly (batch-split independence)', () => {
  for (const c of cases) {
    it(c.name, () => {
      fc.assert(
        fc.property(
          c.draw.chain((b) => fc.tuple(fc.constant(b), cuts(b.rows), fc.boolean())),
          ([{ args, rows, options }, points, viaInto]) => {
            const bounds = [0, ...points, rows];
            let state: LossState | undefined;
            for (let i = 0; i + 1 < bounds.length; i++) {
              const part = c.slice(args, bounds[i]!, bounds[i + 1]!);
              if (viaInto) state = c.partial(part, options, state);
              else {
                const s = c.partial(part, options);
                state = state === undefined ? s : mergeStates(state, s);
              }
            }
            const none = c.oneShot(args, { ...options, reduction: 'none' }) as Tensor;
            // Cancellation (Gaussian NLL and hinge terms can be negative) is measured against Σ|l|.
            let scale = 0;
            for (const v of none.data) scale += Math.abs(Number(v));
            for (const reduction of ['mean', 'sum'] as const) {
              const exp = c.oneShot(args, { ...options, reduction }) as number;
              const got = finalize(state!, reduction);
              const sc = reduction === 'mean' ? scale / rows : scale;
              if (!close(got, exp, sc)) throw new Error(`${reduction}: got ${got}, one-shot ${exp}`);
            }
            expect(state!.rows).toBe(rows);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
