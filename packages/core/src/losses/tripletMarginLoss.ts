import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { TernaryLoss, TernaryLossPartial } from '../forms/ternaryLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { booleanOption, numberOption } from '../options/optionChecks.js';
import type { Reduction } from '../state/reduction.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';
import {
  lpTriplet,
  TRIPLET_ROLES,
  type TripletPrepared,
  tripletKernel,
  tripletMargin,
  tripletTensors,
} from './tripletOperands.js';

/** Options of {@link tripletMarginLoss}, as `torch.nn.functional.triplet_margin_loss`. */
export interface TripletMarginLossOptions {
  /** Required gap d(a, n) − d(a, p); must be > 0 (torch 2.x; default 1). */
  margin?: number;
  /** Order of the distance norm (default 2; any number, `Infinity` for the max norm). */
  p?: number;
  /** Added to every coordinate difference before the norm (default 1e-6). */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (default false). */
  swap?: boolean;
  /** `'mean'` (default, over triplets), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** The options of tripletMarginLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<TripletMarginLossOptions>({
  margin: { type: 'number', torch: 'margin', default: 1.0, describe: 'the margin' },
  p: { type: 'number', torch: 'p', default: 2.0, describe: 'norm degree (multi-margin: 1 or 2)' },
  eps: { type: 'number', torch: 'eps', default: 1e-6, describe: 'numerical floor' },
  swap: {
    type: 'boolean',
    torch: 'swap',
    default: false,
    describe: 'use the smaller of d(a, n) and d(p, n)',
  },
  reduction: reductionOption(),
});

/** Every option tripletMarginLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const tripletMarginLossOptionKeys = optionKeys<TripletMarginLossOptions>(OPTIONS);

const NAME = 'tripletMarginLoss';

function prepare(
  [anchor, positive, negative]: readonly [TensorInput, TensorInput, TensorInput],
  options: Omit<TripletMarginLossOptions, 'reduction'>,
): TripletPrepared {
  const margin = tripletMargin(NAME, options.margin);
  const norm = numberOption(NAME, 'p', options.p, 2);
  const eps = numberOption(NAME, 'eps', options.eps, 1e-6);
  const swap = booleanOption(NAME, 'swap', options.swap, false);
  return lpTriplet(NAME, tripletTensors(NAME, anchor, positive, negative), norm, eps, margin, swap);
}

const impl = defineUnreducedLoss<
  readonly [TensorInput, TensorInput, TensorInput],
  TripletMarginLossOptions,
  TripletPrepared
>({ name: NAME, optionKeys: tripletMarginLossOptionKeys, prepare, kernel: tripletKernel });

/**
 * Triplet margin loss `max(0, margin + d(a, p) − d(a, n))` with d(x, y) = ‖x − y + eps‖_p over the
 * last dimension, as `F.triplet_margin_loss` (torch 2.x: margin must be > 0). Embeddings `[N, D]`
 * (or `[D]` for one triplet) of the same rank; they broadcast.
 *
 * @example
 * tripletMarginLoss([[0, 0]], [[0, 1]], [[3, 4]]); // max(0, 1 + 1 − 5) = 0 (up to eps)
 */
export const tripletMarginLoss = ((
  anchor: TensorInput,
  positive: TensorInput,
  negative: TensorInput,
  options: TripletMarginLossOptions = {},
): Tensor<FloatArray> | number =>
  impl.loss([anchor, positive, negative], options)) as TernaryLoss<TripletMarginLossOptions>;

/**
 * The mergeable state of {@link tripletMarginLoss} over these triplets, added into `into` when given.
 *
 * @example
 * const s = tripletMarginLossPartial(a1, p1, n1, { swap: true });
 * tripletMarginLossPartial(a2, p2, n2, { swap: true }, s);
 * finalize(s, 'mean');
 */
export const tripletMarginLossPartial: TernaryLossPartial<TripletMarginLossOptions> = (
  anchor,
  positive,
  negative,
  options = {},
  into,
) => impl.partial([anchor, positive, negative], options, into);

/** tripletMarginLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const tripletMarginLossDescriptor = defineLoss<TripletMarginLossOptions>()({
  name: 'tripletMarginLoss',
  cliName: 'triplet-margin',
  torch: { module: 'TripletMarginLoss', functional: 'triplet_margin_loss' },
  summary: 'triplets, p-norm distance',
  roles: TRIPLET_ROLES,
  options: OPTIONS,
  loss: tripletMarginLoss,
  partial: tripletMarginLossPartial,
});
