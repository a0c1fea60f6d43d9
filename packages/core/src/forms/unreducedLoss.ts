import { checkOptionKeys } from '../descriptor/optionKeys.js';
import { LossError } from '../LossError.js';
import { addToState, createState, type FloatDType, finalize, type LossState } from '../state/LossState.js';
import { partialState } from '../state/partialState.js';
import { checkReduction, type Reduction } from '../state/reduction.js';
import { allocFloat } from '../tensor/operands.js';
import { type FloatArray, numel, type Tensor } from '../tensor/tensor.js';

/** What every prepared call of an {@link UnreducedLossSpec} tells the reduction. */
export interface PreparedLoss {
  readonly dtype: FloatDType;
  /** Shape of torch's unreduced loss (the `'none'` result); `'mean'` divides by its element count. */
  readonly shape: readonly number[];
  /** Size of dimension 0 (1 when unbatched): the state's `rows`. */
  readonly rows: number;
}

/**
 * A loss that torch computes as an unreduced tensor `L` and then reduces with `'mean'` = ΣL / numel(L)
 * (per-element losses like Gaussian NLL, per-sample ones like the margin and triplet losses).
 * `prepare` validates and lays out the operands once; `kernel` writes `L` into `out` when given
 * and returns ΣL in float64 with compensation.
 */
export interface UnreducedLossSpec<A extends readonly unknown[], O, P extends PreparedLoss> {
  /** The function name, used in errors and states. */
  name: string;
  /** Every option key the loss takes (its `…OptionKeys`); any other key is an `INVALID_OPTION` error. */
  optionKeys: readonly string[];
  prepare(args: A, options: O): P;
  kernel(prepared: P, out: FloatArray | null): number;
  /**
   * Where torch reports a bad `reduction` only after its other checks (GaussianNLL,
   * MultiLabelSoftMargin); by default it is checked before anything else.
   */
  reductionLast?: boolean;
  /** torch leaves `'mean'` of zero samples undefined (MultiMargin, MultiLabelMargin): refuse it. */
  refuseEmptyMean?: boolean;
}

/** The one-shot and streaming forms of an {@link UnreducedLossSpec}, taking arguments as a tuple. */
export interface UnreducedLoss<A extends readonly unknown[], O> {
  loss(args: A, options: O): Tensor<FloatArray> | number;
  partial(args: A, options: Omit<O, 'reduction'>, into: LossState | undefined): LossState;
}

/**
 * Builds a loss and its partial form from an {@link UnreducedLossSpec}; each loss file wraps the
 * tuple forms in its torch-shaped signature.
 *
 * @example
 * const impl = defineUnreducedLoss({ name: 'marginRankingLoss', prepare, kernel });
 * impl.loss([x1, x2, y], { reduction: 'sum' });
 */
export function defineUnreducedLoss<
  A extends readonly unknown[],
  O extends { reduction?: Reduction },
  P extends PreparedLoss,
>(spec: UnreducedLossSpec<A, O, P>): UnreducedLoss<A, O> {
  const { name } = spec;
  const accumulate = (p: P, state: LossState): LossState =>
    addToState(state, spec.kernel(p, null), numel(p.shape), p.rows);
  return {
    partial(args, options, into) {
      checkOptionKeys(name, options, spec.optionKeys, 'partial');
      const p = spec.prepare(args, options as O);
      return accumulate(p, partialState(name, p.dtype, into));
    },
    loss(args, options) {
      checkOptionKeys(name, options, spec.optionKeys);
      const early =
        spec.reductionLast === true ? undefined : checkReduction<Reduction>(name, options.reduction);
      const p = spec.prepare(args, options);
      const reduction = early ?? checkReduction<Reduction>(name, options.reduction);
      if (reduction === 'none') {
        const out = allocFloat(p.dtype, numel(p.shape));
        spec.kernel(p, out);
        return { data: out, shape: p.shape };
      }
      if (reduction === 'mean' && spec.refuseEmptyMean === true && numel(p.shape) === 0) {
        throw new LossError('INVALID_SHAPE', "'mean' of an empty batch is undefined", {
          loss: name,
          argument: 'input',
          hint: "Skip empty batches, or use reduction 'sum' (0 for no samples).",
        });
      }
      return finalize(accumulate(p, createState(name, p.dtype)), reduction);
    },
  };
}
