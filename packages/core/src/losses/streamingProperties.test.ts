/**
 * Properties of the streaming (`…Partial`) form of the element-wise and class-index losses (MSE, L1,
 * cross-entropy, NLL, BCE with logits, KL divergence, Huber): for any split of the rows
 * into batches, partial → accumulate (into one state, or mergeStates of per-batch states) →
 * finalize equals the one-shot value; mergeStates is associative and commutative; and the
 * reductions agree ('sum' = Σ 'none', 'mean' = 'sum' / the loss's own denominator).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createState, finalize, type LossState, mergeStates } from '../state/LossState.js';
import type { StateReduction } from '../state/reduction.js';
import { type FloatArray, numel, type Tensor } from '../tensor/tensor.js';
import {
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsPartial,
} from './binaryCrossEntropyWithLogits.js';
import { crossEntropy, crossEntropyPartial } from './crossEntropy.js';
import { huberLoss, huberLossPartial } from './huberLoss.js';
import { klDiv, klDivPartial } from './klDiv.js';
import { l1Loss, l1LossPartial } from './l1Loss.js';
import { mseLoss, mseLossPartial } from './mseLoss.js';
import { nllLoss, nllLossPartial } from './nllLoss.js';

/** Row-aligned tensors of one draw: every tensor's dimension 0 is the N rows. */
type Data = Record<string, Tensor>;
type Reduced = (d: Data, reduction: StateReduction) => number;

interface PropertyCase {
  /** The state's loss name. */
  loss: string;
  /** Tensors of n rows. */
  data(n: number): fc.Arbitrary<Data>;
  oneShot: Reduced;
  none(d: Data): Tensor<FloatArray>;
  partial(d: Data, into?: LossState): LossState;
  /** The 'mean' denominator, computed here from the data and the options. */
  meanDenominator(d: Data): number;
  reductions: readonly StateReduction[];
}

const floats = (shape: number[], min = -4, max = 4): fc.Arbitrary<Tensor<Float64Array>> =>
  fc
    .array(fc.double({ min, max, noNaN: true }), { minLength: numel(shape), maxLength: numel(shape) })
    .map((v) => ({ data: Float64Array.from(v), shape }));

const labels = (shape: number[], values: number[]): fc.Arbitrary<Tensor<Int32Array>> =>
  fc
    .array(fc.constantFrom(...values), { minLength: numel(shape), maxLength: numel(shape) })
    .map((v) => ({ data: Int32Array.from(v), shape }));

/** Rows of positive values normalised to sum 1 along the last dimension (probabilities). */
const distributions = (shape: number[], log: boolean): fc.Arbitrary<Tensor<Float64Array>> =>
  floats(shape, 0.05, 1).map(({ data }) => {
    const c = shape[shape.length - 1]!;
    for (let i = 0; i < data.length; i += c) {
      let s = 0;
      for (let j = i; j < i + c; j++) s += data[j]!;
      for (let j = i; j < i + c; j++) data[j] = log ? Math.log(data[j]! / s) : data[j]! / s;
    }
    return { data, shape };
  });

const CLASS_WEIGHT = [0.5, 2, 1, 3];
const ceOptions = { weight: CLASS_WEIGHT, ignoreIndex: 1, labelSmoothing: 0.2 };
const nllWeight = new Float64Array([1.5, 0.25, 1, 2, 0.75]);
const posWeight = { data: new Float64Array([0.5, 2, 3]), shape: [3, 1] };
const bceWeight = new Float64Array([1.5, 0.5]);

/** Σ w[y] over samples whose target is not ignored: the NLL / CE 'mean' denominator. */
function classDenominator(target: Tensor, weight: ArrayLike<number>, ignoreIndex: number): number {
  let d = 0;
  for (const t of target.data as Int32Array) if (t !== ignoreIndex) d += weight[t]!;
  return d;
}

const sumOf = (t: Tensor): number => {
  let s = 0;
  for (const v of t.data as FloatArray) s += v;
  return s;
};

const cases: PropertyCase[] = [
  {
    loss: 'mseLoss',
    data: (n) => fc.record({ x: floats([n, 3]), y: floats([n, 3]) }),
    oneShot: (d, reduction) => mseLoss(d.x!, d.y!, { reduction: reduction as 'mean' }),
    none: (d) => mseLoss(d.x!, d.y!, { reduction: 'none' }),
    partial: (d, into) => mseLossPartial(d.x!, d.y!, {}, into),
    meanDenominator: (d) => numel(d.x!.shape),
    reductions: ['mean', 'sum'],
  },
  {
    loss: 'l1Loss',
    data: (n) => fc.record({ x: floats([n, 2]), y: floats([n, 2]), w: floats([n, 2], 0.1, 3) }),
    oneShot: (d, reduction) => l1Loss(d.x!, d.y!, { reduction: reduction as 'mean', weight: d.w! }),
    none: (d) => l1Loss(d.x!, d.y!, { reduction: 'none', weight: d.w! }),
    partial: (d, into) => l1LossPartial(d.x!, d.y!, { weight: d.w! }, into),
    meanDenominator: (d) => sumOf(d.w!),
    reductions: ['mean', 'sum'],
  },
  {
    loss: 'crossEntropy',
    data: (n) => fc.record({ x: floats([n, 4, 2], -6, 6), y: labels([n, 2], [0, 1, 2, 3]) }),
    oneShot: (d, reduction) => crossEntropy(d.x!, d.y!, { ...ceOptions, reduction: reduction as 'mean' }),
    none: (d) => crossEntropy(d.x!, d.y!, { ...ceOptions, reduction: 'none' }),
    partial: (d, into) => crossEntropyPartial(d.x!, d.y!, ceOptions, into),
    meanDenominator: (d) => classDenominator(d.y!, CLASS_WEIGHT, ceOptions.ignoreIndex),
    reductions: ['mean', 'sum'],
  },
  {
    loss: 'crossEntropy',
    data: (n) => fc.record({ x: floats([n, 3], -6, 6), y: distributions([n, 3], false) }),
    oneShot: (d, reduction) =>
      crossEntropy(d.x!, d.y!, { weight: [1, 2, 0.5], reduction: reduction as 'mean' }),
    none: (d) => crossEntropy(d.x!, d.y!, { weight: [1, 2, 0.5], reduction: 'none' }),
    partial: (d, into) => crossEntropyPartial(d.x!, d.y!, { weight: [1, 2, 0.5] }, into),
    meanDenominator: (d) => d.x!.shape[0]!,
    reductions: ['mean', 'sum'],
  },
  {
    loss: 'nllLoss',
    data: (n) => fc.record({ x: floats([n, 5], -5, 0), y: labels([n], [0, 1, 2, 3, 4, -100]) }),
    oneShot: (d, reduction) => nllLoss(d.x!, d.y!, { weight: nllWeight, reduction: reduction as 'mean' }),
    none: (d) => nllLoss(d.x!, d.y!, { weight: nllWeight, reduction: 'none' }),
    partial: (d, into) => nllLossPartial(d.x!, d.y!, { weight: nllWeight }, into),
    meanDenominator: (d) => classDenominator(d.y!, nllWeight, -100),
    reductions: ['mean', 'sum'],
  },
  {
    loss: 'binaryCrossEntropyWithLogits',
    data: (n) => fc.record({ x: floats([n, 3, 2], -6, 6), y: floats([n, 3, 2], 0, 1) }),
    oneShot: (d, reduction) =>
      binaryCrossEntropyWithLogits(d.x!, d.y!, {
        posWeight,
        weight: bceWeight,
        reduction: reduction as 'mean',
      }),
    none: (d) =>
      binaryCrossEntropyWithLogits(d.x!, d.y!, { posWeight, weight: bceWeight, reduction: 'none' }),
    partial: (d, into) =>
      binaryCrossEntropyWithLogitsPartial(d.x!, d.y!, { posWeight, weight: bceWeight }, into),
    meanDenominator: (d) => numel(d.x!.shape),
    reductions: ['mean', 'sum'],
  },
  {
    loss: 'klDiv',
    data: (n) => fc.record({ x: distributions([n, 4], true), y: distributions([n, 4], false) }),
    oneShot: (d, reduction) => klDiv(d.x!, d.y!, { reduction }),
    none: (d) => klDiv(d.x!, d.y!, { reduction: 'none' }),
    partial: (d, into) => klDivPartial(d.x!, d.y!, {}, into),
    meanDenominator: (d) => numel(d.x!.shape),
    reductions: ['batchmean', 'mean', 'sum'],
  },
  {
    loss: 'huberLoss',
    data: (n) => fc.record({ x: floats([n, 2]), y: floats([n, 2]), w: floats([n, 2], 0.1, 3) }),
    oneShot: (d, reduction) =>
      huberLoss(d.x!, d.y!, { delta: 0.8, weight: d.w!, reduction: reduction as 'mean' }),
    none: (d) => huberLoss(d.x!, d.y!, { delta: 0.8, weight: d.w!, reduction: 'none' }),
    partial: (d, into) => huberLossPartial(d.x!, d.y!, { delta: 0.8, weight: d.w! }, into),
    meanDenominator: (d) => sumOf(d.w!),
    reductions: ['mean', 'sum'],
  },
];

const REL = 1e-12;

function expectClose(got: number, want: number, what: string): void {
  if (Number.isNaN(want) || !Number.isFinite(want)) {
    expect(got, what).toBe(want);
    return;
  }
  expect(Math.abs(got - want), `${what}: got ${got}, want ${want}`).toBeLessThanOrEqual(REL * Math.abs(want));
}

function rowsOf(d: Data, a: number, b: number): Data {
  const out: Data = {};
  for (const [k, t] of Object.entries(d)) {
    const row = numel(t.shape.slice(1));
    out[k] = {
      data: (t.data as FloatArray | Int32Array).subarray(a * row, b * row),
      shape: [b - a, ...t.shape.slice(1)],
    };
  }
  return out;
}

/** n rows of a case plus a split of them into contiguous non-empty batches. */
const drawSplit = (c: PropertyCase) =>
  fc.integer({ min: 1, max: 9 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      data: c.data(n),
      cuts:
        n > 1 ? fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: n - 1 }) : fc.constant([]),
    }),
  );

/** n rows and three contiguous, possibly empty, batches. */
const drawThree = (c: PropertyCase) =>
  fc.integer({ min: 0, max: 8 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      data: c.data(n),
      a: fc.integer({ min: 0, max: n }),
      b: fc.integer({ min: 0, max: n }),
    }),
  );

const RUNS = { numRuns: 60 };

describe.each(cases.map((c, i) => [`${c.loss}#${i}`, c] as const))('streaming %s', (_, c) => {
  it('finalizes any split of the rows, accumulated into one state or merged, to the one-shot value', () => {
    fc.assert(
      fc.property(drawSplit(c), ({ n, data, cuts }) => {
        const bounds = [0, ...[...cuts].sort((x, y) => x - y), n];
        const batches = bounds.slice(1).map((b, i) => rowsOf(data, bounds[i]!, b));
        const into = createState(c.loss);
        for (const batch of batches) c.partial(batch, into);
        const merged = batches.map((batch) => c.partial(batch)).reduce(mergeStates);
        expect(into.rows).toBe(n);
        expect(merged.rows).toBe(n);
        for (const r of c.reductions) {
          const want = c.oneShot(data, r);
          expectClose(finalize(into, r), want, `into, ${r}`);
          expectClose(finalize(merged, r), want, `mergeStates, ${r}`);
        }
      }),
      RUNS,
    );
  });

  it('merges associatively and commutatively, empty batches included', () => {
    fc.assert(
      fc.property(drawThree(c), ({ n, data, a, b }) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const [s1, s2, s3] = [rowsOf(data, 0, lo), rowsOf(data, lo, hi), rowsOf(data, hi, n)].map((d) =>
          c.partial(d),
        );
        const left = mergeStates(mergeStates(s1!, s2!), s3!);
        const right = mergeStates(s1!, mergeStates(s2!, s3!));
        const swapped = mergeStates(s3!, mergeStates(s2!, s1!));
        for (const r of c.reductions) {
          const want = finalize(left, r);
          expectClose(finalize(right, r), want, `associative, ${r}`);
          expectClose(finalize(swapped, r), want, `commutative, ${r}`);
        }
      }),
      RUNS,
    );
  });

  it("agrees across reductions: 'sum' = Σ 'none', 'mean' = 'sum' / its denominator", () => {
    fc.assert(
      fc.property(drawSplit(c), ({ data }) => {
        const sum = c.oneShot(data, 'sum');
        const none = c.none(data);
        let s = 0;
        let err = 0;
        for (const v of none.data) {
          const t = s + v;
          err += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
          s = t;
        }
        expectClose(sum, s + err, "Σ 'none' vs 'sum'");
        expectClose(c.oneShot(data, 'mean'), sum / c.meanDenominator(data), "'mean' vs 'sum' / denominator");
        if (c.reductions.includes('batchmean')) {
          expectClose(c.oneShot(data, 'batchmean'), sum / data.x!.shape[0]!, "'batchmean' vs 'sum' / rows");
        }
      }),
      RUNS,
    );
  });
});
