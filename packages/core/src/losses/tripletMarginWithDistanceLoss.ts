import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import type { OptionDescriptor } from '../descriptor/LossDescriptor.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { TernaryLoss, TernaryLossPartial } from '../forms/ternaryLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { LossError } from '../LossError.js';
import { booleanOption } from '../options/optionChecks.js';
import type { Reduction } from '../state/reduction.js';
import { floatTensor, resultDType } from '../tensor/operands.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';
import { cosineDistance } from './cosineDistance.js';
import { pairwiseDistance } from './pairwiseDistance.js';
import {
  fromDistances,
  lpTriplet,
  TRIPLET_ROLES,
  type TripletPrepared,
  tripletKernel,
  tripletMargin,
  tripletTensors,
} from './tripletOperands.js';

/**
 * A distance between two batches of embeddings: given tensors `[N, D]` (or whatever the loss was
 * given), returns one distance per row, e.g. `pairwiseDistance` or `cosineDistance`.
 *
 * @example
 * const manhattan: DistanceFunction = (x, y) => pairwiseDistance(x, y, { p: 1 });
 */
export type DistanceFunction = (x1: Tensor<FloatArray>, x2: Tensor<FloatArray>) => TensorInput;

/** Options of {@link tripletMarginWithDistanceLoss}, as `torch.nn.TripletMarginWithDistanceLoss`. */
export interface TripletMarginWithDistanceLossOptions {
  /** Distance of two embedding batches (default: pairwise L2 distance with eps 1e-6, as torch). */
  distanceFunction?: DistanceFunction;
  /** Required gap d(a, n) − d(a, p); must be > 0 (torch 2.x; default 1). */
  margin?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (default false). */
  swap?: boolean;
  /** `'mean'` (default, over triplets), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/**
 * The distance function, which neither a worker thread nor a command line can receive: a command
 * line names one of torch's usual two instead.
 */
const DISTANCE_OPTION = {
  type: 'function',
  torch: 'distance_function',
  describe: 'the distance: pairwise (L2, the default) or cosine',
  flag: 'distance',
  named: {
    pairwise: ((x, y) => pairwiseDistance(x, y)) satisfies DistanceFunction,
    cosine: ((x, y) => cosineDistance(x, y)) satisfies DistanceFunction,
  },
  transferable: false,
} as const satisfies OptionDescriptor;

/** The options of tripletMarginWithDistanceLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<TripletMarginWithDistanceLossOptions>({
  distanceFunction: DISTANCE_OPTION,
  margin: { type: 'number', torch: 'margin', default: 1.0, describe: 'the margin' },
  swap: {
    type: 'boolean',
    torch: 'swap',
    default: false,
    describe: 'use the smaller of d(a, n) and d(p, n)',
  },
  reduction: reductionOption(),
});

/** Every option tripletMarginWithDistanceLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const tripletMarginWithDistanceLossOptionKeys =
  optionKeys<TripletMarginWithDistanceLossOptions>(OPTIONS);

const NAME = 'tripletMarginWithDistanceLoss';

function prepare(
  [anchor, positive, negative]: readonly [TensorInput, TensorInput, TensorInput],
  options: Omit<TripletMarginWithDistanceLossOptions, 'reduction'>,
): TripletPrepared {
  // torch 2.x's order: reduction (checked by the caller), margin, then the ranks.
  const margin = tripletMargin(NAME, options.margin);
  const swap = booleanOption(NAME, 'swap', options.swap, false);
  const fn: unknown = options.distanceFunction;
  if (fn !== undefined && fn !== null && typeof fn !== 'function') {
    throw new LossError('INVALID_OPTION', `distanceFunction must be a function, got ${typeof fn}`, {
      loss: NAME,
      argument: 'distanceFunction',
      hint: 'Pass (x1, x2) => distances, e.g. (x, y) => pairwiseDistance(x, y, { p: 1 }), or leave it out for L2.',
    });
  }
  const tensors = tripletTensors(NAME, anchor, positive, negative);
  if (typeof fn !== 'function') return lpTriplet(NAME, tensors, 2, 1e-6, margin, swap);
  const distance = (x: Tensor<FloatArray>, y: Tensor<FloatArray>, what: string) =>
    floatTensor(NAME, `distanceFunction(${what})`, (fn as DistanceFunction)(x, y));
  const [a, p, n] = tensors;
  const pos = distance(a, p, 'anchor, positive');
  const neg = distance(a, n, 'anchor, negative');
  const sw = swap ? distance(p, n, 'positive, negative') : null;
  return fromDistances(NAME, resultDType(pos.data, neg.data, sw?.data), pos, neg, sw, margin);
}

const impl = defineUnreducedLoss<
  readonly [TensorInput, TensorInput, TensorInput],
  TripletMarginWithDistanceLossOptions,
  TripletPrepared
>({ name: NAME, optionKeys: tripletMarginWithDistanceLossOptionKeys, prepare, kernel: tripletKernel });

/**
 * Triplet margin loss `max(0, margin + d(a, p) − d(a, n))` with any distance d, as
 * `F.triplet_margin_with_distance_loss` (torch 2.x validation: margin > 0, same ranks).
 * The default d is the pairwise L2 distance with eps 1e-6; the result's dtype is the distances'.
 *
 * @example
 * tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: cosineDistance, margin: 0.5 });
 * tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: (x, y) => pairwiseDistance(x, y, { p: 1 }) });
 */
export const tripletMarginWithDistanceLoss = ((
  anchor: TensorInput,
  positive: TensorInput,
  negative: TensorInput,
  options: TripletMarginWithDistanceLossOptions = {},
): Tensor<FloatArray> | number =>
  impl.loss([anchor, positive, negative], options)) as TernaryLoss<TripletMarginWithDistanceLossOptions>;

/**
 * The mergeable state of {@link tripletMarginWithDistanceLoss} over these triplets, added into
 * `into` when given.
 *
 * @example
 * const s = tripletMarginWithDistanceLossPartial(a1, p1, n1, { distanceFunction: cosineDistance });
 * finalize(s, 'mean');
 */
export const tripletMarginWithDistanceLossPartial: TernaryLossPartial<
  TripletMarginWithDistanceLossOptions
> = (anchor, positive, negative, options = {}, into) =>
  impl.partial([anchor, positive, negative], options, into);

/** tripletMarginWithDistanceLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const tripletMarginWithDistanceLossDescriptor = defineLoss<TripletMarginWithDistanceLossOptions>()({
  name: 'tripletMarginWithDistanceLoss',
  cliName: 'triplet-margin-with-distance',
  torch: { module: 'TripletMarginWithDistanceLoss', functional: 'triplet_margin_with_distance_loss' },
  summary: 'triplets, pairwise distance',
  roles: TRIPLET_ROLES,
  options: OPTIONS,
  loss: tripletMarginWithDistanceLoss,
  partial: tripletMarginWithDistanceLossPartial,
});
