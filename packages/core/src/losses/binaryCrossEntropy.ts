import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import {
  type BinaryCrossEntropyParams,
  binaryCrossEntropyNone,
  binaryCrossEntropySum,
  firstOutsideUnitInterval,
} from '../kernels/binaryCrossEntropy.js';
import { LossError } from '../LossError.js';
import type { Reduction } from '../state/reduction.js';
import { broadcastView, UNIT_VIEW } from '../tensor/operands.js';
import { numel, type TensorInput } from '../tensor/tensor.js';

/** Options of {@link binaryCrossEntropy}, as `torch.nn.functional.binary_cross_entropy`. */
export interface BinaryCrossEntropyOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /**
   * Rescales each element's loss; broadcasts into input's shape (e.g. `[C]` or `[N, 1]` for
   * `[N, C]`) and does not normalise: `'mean'` is still Σ w·l / numel.
   */
  weight?: TensorInput;
}

/** The options of binaryCrossEntropy, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<BinaryCrossEntropyOptions>({
  reduction: reductionOption(),
  weight: { type: 'numbers', torch: 'weight', describe: 'class (or element) weights, e.g. 0.5,1,2' },
});

/** Every option binaryCrossEntropy takes, as data (any other key is an `INVALID_OPTION` error). */
export const binaryCrossEntropyOptionKeys = optionKeys<BinaryCrossEntropyOptions>(OPTIONS);

const bce = defineElementwiseLoss<BinaryCrossEntropyOptions, BinaryCrossEntropyParams>({
  name: 'binaryCrossEntropy',
  optionKeys: binaryCrossEntropyOptionKeys,
  rule: 'equal',
  kernels: { sum: binaryCrossEntropySum, none: binaryCrossEntropyNone },
  params: (o, ops) => {
    const bad = firstOutsideUnitInterval(ops.x);
    if (bad >= 0) {
      const perRow = ops.shape.length === 0 ? 1 : numel(ops.shape.slice(1));
      throw new LossError(
        'INPUT_OUT_OF_RANGE',
        `all elements of input should be between 0 and 1, got ${ops.x[bad]} at flat index ${bad}`,
        {
          loss: 'binaryCrossEntropy',
          argument: 'input',
          ...(ops.shape.length > 0 ? { row: Math.floor(bad / perRow) } : {}),
          hint: 'Pass probabilities (e.g. after a sigmoid), or use binaryCrossEntropyWithLogits on raw logits.',
        },
      );
    }
    return {
      weight:
        o.weight === undefined
          ? UNIT_VIEW
          : broadcastView('binaryCrossEntropy', 'weight', o.weight, ops.shape),
    };
  },
});

/**
 * Binary cross-entropy on probabilities, as `F.binary_cross_entropy`; input and target must have
 * the same shape, input must lie in [0, 1] (NaN is rejected), each log is clamped at −100.
 *
 * @example
 * binaryCrossEntropy([0.2, 0.7], [0, 1], { weight: [1, 3] }); // 0.6465842 (weights do not normalise)
 */
export const binaryCrossEntropy = bce.loss;

/**
 * The mergeable state of {@link binaryCrossEntropy} over these rows, added into `into` when given.
 *
 * @example
 * const s = binaryCrossEntropyPartial(p1, y1);
 * binaryCrossEntropyPartial(p2, y2, {}, s);
 * finalize(s, 'mean');
 */
export const binaryCrossEntropyPartial = bce.partial;

/** binaryCrossEntropy in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const binaryCrossEntropyDescriptor = defineLoss<BinaryCrossEntropyOptions>()({
  name: 'binaryCrossEntropy',
  cliName: 'bce',
  torch: { module: 'BCELoss', functional: 'binary_cross_entropy' },
  summary: 'probabilities vs 0/1 targets',
  roles: [
    { name: 'input', shape: 'any shape, probabilities in [0, 1]', dtype: 'float' },
    { name: 'target', shape: "the input's shape", dtype: 'float' },
  ],
  options: OPTIONS,
  loss: binaryCrossEntropy,
  partial: binaryCrossEntropyPartial,
});
