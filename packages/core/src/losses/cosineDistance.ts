import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { cosineDistances } from '../kernels/distance.js';
import { numberOption } from '../options/optionChecks.js';
import { rowDistanceOperands } from '../tensor/rowDistanceOperands.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';

/** Options of {@link cosineDistance}. */
export interface CosineDistanceOptions {
  /** Norms below this are raised to it, as `F.cosine_similarity`'s eps (default 1e-8). */
  eps?: number;
}

/** Every option cosineDistance takes, as data (any other key is an `INVALID_OPTION` error). */
export const cosineDistanceOptionKeys = optionKeys<CosineDistanceOptions>({ eps: true });

const NAME = 'cosineDistance';

/**
 * `1 − F.cosine_similarity(x1, x2, dim=-1)` (torch 2.x's form: each vector divided by
 * max(‖v‖, eps) before the dot product). x1 and x2 broadcast; the result drops the last dimension.
 * The distance torch users pass to `TripletMarginWithDistanceLoss` as
 * `lambda x, y: 1 - F.cosine_similarity(x, y)`.
 *
 * @example
 * cosineDistance([[1, 0], [1, 1]], [[0, 1], [2, 2]]); // ≈ [1, 0]
 * tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: cosineDistance });
 */
export function cosineDistance(
  x1: TensorInput,
  x2: TensorInput,
  options: CosineDistanceOptions = {},
): Tensor<FloatArray> {
  checkOptionKeys(NAME, options, cosineDistanceOptionKeys);
  const eps = numberOption(NAME, 'eps', options.eps, 1e-8, (e) => e >= 0, 'a number ≥ 0');
  const o = rowDistanceOperands(NAME, x1, x2);
  cosineDistances(o.x1, o.x2, o.rows, o.dim, eps, o.out);
  return { data: o.out, shape: o.outShape };
}
