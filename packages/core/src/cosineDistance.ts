import { cosineDistances } from './kernels/distance.js';
import { allocFloat, broadcastShapes, expandTo, floatTensor, resultDType } from './operands.js';
import { numberOption } from './optionChecks.js';
import { type FloatArray, numel, type Tensor, type TensorInput } from './tensor.js';

/** Options of {@link cosineDistance}. */
export interface CosineDistanceOptions {
  /** Norms below this are raised to it, as `F.cosine_similarity`'s eps (default 1e-8). */
  eps?: number;
}

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
  const eps = numberOption(NAME, 'eps', options.eps, 1e-8, (e) => e >= 0, 'a number ≥ 0');
  const a = floatTensor(NAME, 'x1', x1);
  const b = floatTensor(NAME, 'x2', x2);
  const shape = broadcastShapes(NAME, a.shape, b.shape, ['x1', 'x2']);
  const outShape = shape.slice(0, -1);
  const rows = numel(outShape);
  const out = allocFloat(resultDType(a.data, b.data), rows);
  cosineDistances(
    expandTo(a, shape),
    expandTo(b, shape),
    rows,
    shape.length === 0 ? 1 : shape[shape.length - 1]!,
    eps,
    out,
  );
  return { data: out, shape: outShape };
}
