import { pairwiseDistances } from '../kernels/distance.js';
import { tripletFromDistances, tripletFused } from '../kernels/triplet.js';
import { LossError } from '../LossError.js';
import { numberOption } from '../options/optionChecks.js';
import type { FloatDType } from '../state/LossState.js';
import { broadcastShapes, expandTo, floatTensor, leadingRows, resultDType } from '../tensor/operands.js';
import { type FloatArray, numel, type Tensor, type TensorInput } from '../tensor/tensor.js';

/**
 * A prepared triplet-loss call: either the three embeddings laid out alike (distances fused into
 * the kernel, the fast path), or the three distance tensors laid out in the result's shape.
 */
/** The tensor arguments of both triplet losses, for the loss registry: three rows of embeddings. */
export const TRIPLET_ROLES = [
  { name: 'anchor', column: 'anchor', shape: '(N, D) or (D)', dtype: 'float' },
  { name: 'positive', column: 'positive', shape: '(N, D) or (D)', dtype: 'float' },
  { name: 'negative', column: 'negative', shape: '(N, D) or (D)', dtype: 'float' },
] as const;

export interface TripletPrepared {
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly rows: number;
  readonly margin: number;
  readonly swap: boolean;
  readonly fused: {
    readonly a: FloatArray;
    readonly p: FloatArray;
    readonly n: FloatArray;
    readonly dim: number;
    readonly norm: number;
    readonly eps: number;
  } | null;
  readonly distances: {
    readonly pos: FloatArray;
    readonly neg: FloatArray;
    readonly swap: FloatArray | null;
  } | null;
}

/**
 * torch 2.x refuses margin ≤ 0 for both triplet losses (1.13 accepted it).
 *
 * @example
 * tripletMargin('tripletMarginLoss', undefined); // 1
 * tripletMargin('tripletMarginLoss', 0); // throws LossError INVALID_OPTION
 */
export function tripletMargin(loss: string, margin: unknown): number {
  return numberOption(loss, 'margin', margin, 1, (m) => m > 0, 'a number > 0');
}

/**
 * Anchor, positive and negative as float tensors, which must have the same number of dimensions.
 *
 * @example
 * tripletTensors('tripletMarginLoss', [[0, 1]], [[1, 1]], [[2, 2]]); // three Float64 [1, 2] tensors
 * tripletTensors('tripletMarginLoss', [[0, 1]], [1, 1], [[2, 2]]); // throws SHAPE_MISMATCH
 */
export function tripletTensors(
  loss: string,
  anchor: TensorInput,
  positive: TensorInput,
  negative: TensorInput,
): readonly [Tensor<FloatArray>, Tensor<FloatArray>, Tensor<FloatArray>] {
  const a = floatTensor(loss, 'anchor', anchor);
  const p = floatTensor(loss, 'positive', positive);
  const n = floatTensor(loss, 'negative', negative);
  if (a.shape.length !== p.shape.length || a.shape.length !== n.shape.length) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `anchor, positive and negative must have the same number of dimensions, got ${a.shape.length}-d, ${p.shape.length}-d and ${n.shape.length}-d inputs`,
      {
        loss,
        argument: p.shape.length !== a.shape.length ? 'positive' : 'negative',
        hint: 'Pass three tensors of shape [N, D] (or [D] for one triplet).',
      },
    );
  }
  return [a, p, n];
}

function lastDim(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1]!;
}

/** Float64 Lp distances of two embeddings over their last dimension, with their shape. */
function distances(
  loss: string,
  x: Tensor<FloatArray>,
  y: Tensor<FloatArray>,
  names: readonly [string, string],
  norm: number,
  eps: number,
): Tensor<Float64Array> {
  const shape = broadcastShapes(loss, x.shape, y.shape, names);
  const out = new Float64Array(numel(shape.slice(0, -1)));
  pairwiseDistances(expandTo(x, shape), expandTo(y, shape), out.length, lastDim(shape), norm, eps, out);
  return { data: out, shape: shape.slice(0, -1) };
}

/**
 * The triplet loss with Lp distances (`triplet_margin_loss`). Same-shaped embeddings take the fused
 * path; broadcast ones get each pair's distances first, as torch's `pairwise_distance` does.
 *
 * @example
 * const t = lpTriplet('tripletMarginLoss', tripletTensors('tripletMarginLoss', a, p, n), 2, 1e-6, 1, false);
 * tripletKernel(t, null); // Σ of the per-triplet losses
 */
export function lpTriplet(
  loss: string,
  [a, p, n]: readonly [Tensor<FloatArray>, Tensor<FloatArray>, Tensor<FloatArray>],
  norm: number,
  eps: number,
  margin: number,
  swap: boolean,
): TripletPrepared {
  const dtype = resultDType(a.data, p.data, n.data);
  const same = (s: readonly number[]) => s.length === a.shape.length && s.every((d, i) => d === a.shape[i]);
  if (same(p.shape) && same(n.shape)) {
    const shape = a.shape.slice(0, -1);
    return {
      dtype,
      shape,
      rows: leadingRows(shape),
      margin,
      swap,
      fused: { a: a.data, p: p.data, n: n.data, dim: lastDim(a.shape), norm, eps },
      distances: null,
    };
  }
  const pos = distances(loss, a, p, ['anchor', 'positive'], norm, eps);
  const neg = distances(loss, a, n, ['anchor', 'negative'], norm, eps);
  const sw = swap ? distances(loss, p, n, ['positive', 'negative'], norm, eps) : null;
  return fromDistances(loss, dtype, pos, neg, sw, margin);
}

/**
 * The triplet loss from distance tensors (which broadcast into the result's shape).
 *
 * @example
 * const t = fromDistances('tripletMarginWithDistanceLoss', 'float64', dPos, dNeg, null, 0.5);
 * tripletKernel(t, new Float64Array(numel(t.shape))); // per-triplet losses written out
 */
export function fromDistances(
  loss: string,
  dtype: FloatDType,
  pos: Tensor<FloatArray>,
  neg: Tensor<FloatArray>,
  sw: Tensor<FloatArray> | null,
  margin: number,
): TripletPrepared {
  let shape = broadcastShapes(loss, pos.shape, neg.shape, [
    'distance(anchor, positive)',
    'distance(anchor, negative)',
  ]);
  if (sw !== null)
    shape = broadcastShapes(loss, shape, sw.shape, ['the distances', 'distance(positive, negative)']);
  return {
    dtype,
    shape,
    rows: leadingRows(shape),
    margin,
    swap: sw !== null,
    fused: null,
    distances: {
      pos: expandTo(pos, shape),
      neg: expandTo(neg, shape),
      swap: sw === null ? null : expandTo(sw, shape),
    },
  };
}

/**
 * Runs the kernel of a {@link TripletPrepared}: Σ of the per-triplet losses, written to `out` when given.
 *
 * @example
 * const sum = tripletKernel(prepared, null);
 */
export function tripletKernel(t: TripletPrepared, out: FloatArray | null): number {
  const n = numel(t.shape);
  if (t.fused !== null) {
    const f = t.fused;
    return tripletFused(f.a, f.p, f.n, n, f.dim, t.margin, f.norm, f.eps, t.swap, out);
  }
  const d = t.distances!;
  return tripletFromDistances(d.pos, d.neg, d.swap, n, t.margin, out);
}
