import type { LossState } from '../state/LossState.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';

/**
 * A loss of three tensors and options as `torch.nn.functional` has it (`gaussian_nll_loss`,
 * `cosine_embedding_loss`, `margin_ranking_loss`, the triplet losses): `'none'` gives a tensor,
 * `'mean'`/`'sum'` give a number, and a `Reduction` variable gives either.
 *
 * @example
 * const loss: TernaryLoss<MarginRankingLossOptions> = marginRankingLoss;
 * const perPair = loss(x1, x2, y, { reduction: 'none' }); // Tensor<FloatArray>
 * const mean = loss(x1, x2, y); // number
 */
export interface TernaryLoss<O extends { reduction?: string }> {
  (a: TensorInput, b: TensorInput, c: TensorInput, options: O & { reduction: 'none' }): Tensor<FloatArray>;
  (
    a: TensorInput,
    b: TensorInput,
    c: TensorInput,
    options?: O & { reduction?: Exclude<O['reduction'], 'none'> },
  ): number;
  (a: TensorInput, b: TensorInput, c: TensorInput, options?: O): Tensor<FloatArray> | number;
}

/**
 * The streaming form of a {@link TernaryLoss}: adds these rows into `into` (or a new state).
 *
 * @example
 * const s = marginRankingLossPartial(x1, x2, y, { margin: 0.5 });
 * finalize(s, 'mean');
 */
export type TernaryLossPartial<O> = (
  a: TensorInput,
  b: TensorInput,
  c: TensorInput,
  options?: Omit<O, 'reduction'>,
  into?: LossState,
) => LossState;
