import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { pairwiseDistances } from '../kernels/distance.js';
import { numberOption } from '../options/optionChecks.js';
import { rowDistanceOperands } from '../tensor/rowDistanceOperands.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';

/** Options of {@link pairwiseDistance}, as `torch.nn.functional.pairwise_distance`. */
export interface PairwiseDistanceOptions {
  /** Order of the norm (default 2); any number, `Infinity` for the max norm, 0 counts non-zeros. */
  p?: number;
  /** Added to every coordinate difference, not to the norm (default 1e-6). */
  eps?: number;
}

/** Every option pairwiseDistance takes, as data (any other key is an `INVALID_OPTION` error). */
export const pairwiseDistanceOptionKeys = optionKeys<PairwiseDistanceOptions>({ p: true, eps: true });

const NAME = 'pairwiseDistance';

/**
 * ‖x1 − x2 + eps‖_p over the last dimension, as `F.pairwise_distance`: x1 and x2 broadcast, and the
 * result has their broadcast shape without the last dimension. Also the default distance of
 * {@link tripletMarginWithDistanceLoss}, and a building block for custom ones.
 *
 * @example
 * pairwiseDistance([[0, 0], [1, 1]], [[3, 4], [1, 1]]); // ≈ [5, 1.41e-6]
 * tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: (x, y) => pairwiseDistance(x, y, { p: 1 }) });
 */
export function pairwiseDistance(
  x1: TensorInput,
  x2: TensorInput,
  options: PairwiseDistanceOptions = {},
): Tensor<FloatArray> {
  checkOptionKeys(NAME, options, pairwiseDistanceOptionKeys);
  const p = numberOption(NAME, 'p', options.p, 2);
  const eps = numberOption(NAME, 'eps', options.eps, 1e-6);
  const o = rowDistanceOperands(NAME, x1, x2);
  pairwiseDistances(o.x1, o.x2, o.rows, o.dim, p, eps, o.out);
  return { data: o.out, shape: o.outShape };
}
