import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import {
  type BinaryCrossEntropyWithLogitsParams,
  binaryCrossEntropyWithLogitsNone,
  binaryCrossEntropyWithLogitsSum,
} from '../kernels/binaryCrossEntropyWithLogits.js';
import type { Reduction } from '../state/reduction.js';
import { broadcastView, UNIT_VIEW } from '../tensor/operands.js';
import type { TensorInput } from '../tensor/tensor.js';

/** Options of {@link binaryCrossEntropyWithLogits}, as `torch.nn.functional.binary_cross_entropy_with_logits`. */
export interface BinaryCrossEntropyWithLogitsOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /**
   * Rescales each element's loss; broadcasts against input's trailing dimensions and does not
   * normalise: `'mean'` is still Σ w·l / numel.
   */
  weight?: TensorInput;
  /**
   * Weight of the positive term per class, broadcast against input's trailing dimensions: `[C]`
   * for `[N, C]`, `[C, 1, 1]` for `[N, C, H, W]`. May not enlarge input's shape.
   */
  posWeight?: TensorInput;
}

/** The options of binaryCrossEntropyWithLogits, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<BinaryCrossEntropyWithLogitsOptions>({
  reduction: reductionOption(),
  weight: { type: 'numbers', torch: 'weight', describe: 'class (or element) weights, e.g. 0.5,1,2' },
  posWeight: { type: 'numbers', torch: 'pos_weight', describe: 'weight of positive examples per class' },
});

/** Every option binaryCrossEntropyWithLogits takes, as data (any other key is an `INVALID_OPTION` error). */
export const binaryCrossEntropyWithLogitsOptionKeys =
  optionKeys<BinaryCrossEntropyWithLogitsOptions>(OPTIONS);

const name = 'binaryCrossEntropyWithLogits';

const bceLogits = defineElementwiseLoss<
  BinaryCrossEntropyWithLogitsOptions,
  BinaryCrossEntropyWithLogitsParams
>({
  name,
  optionKeys: binaryCrossEntropyWithLogitsOptionKeys,
  rule: 'equal',
  kernels: {
    sum: binaryCrossEntropyWithLogitsSum,
    none: binaryCrossEntropyWithLogitsNone,
    wasm: (k) => k.binaryCrossEntropyWithLogits,
  },
  params: (o, ops) => ({
    weight: o.weight === undefined ? UNIT_VIEW : broadcastView(name, 'weight', o.weight, ops.shape),
    posWeight: o.posWeight === undefined ? null : broadcastView(name, 'posWeight', o.posWeight, ops.shape),
  }),
});

/**
 * Binary cross-entropy on logits, as `F.binary_cross_entropy_with_logits` in torch 2.x:
 * `(1 − y)·x − lw·log σ(x)` with `lw = 1 + (posWeight − 1)·y` and an accurate log σ; input and target
 * must have the same shape.
 *
 * @example
 * binaryCrossEntropyWithLogits([0, 3], [0.5, 1], { posWeight: [1, 2], reduction: 'sum' }); // ≈ 0.790322
 */
export const binaryCrossEntropyWithLogits = bceLogits.loss;

/**
 * The mergeable state of {@link binaryCrossEntropyWithLogits} over these rows, added into `into` when given.
 *
 * @example
 * const s = binaryCrossEntropyWithLogitsPartial(logits1, y1, { posWeight });
 * binaryCrossEntropyWithLogitsPartial(logits2, y2, { posWeight }, s);
 * finalize(s, 'mean');
 */
export const binaryCrossEntropyWithLogitsPartial = bceLogits.partial;

/** binaryCrossEntropyWithLogits in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const binaryCrossEntropyWithLogitsDescriptor = defineLoss<BinaryCrossEntropyWithLogitsOptions>()({
  name: 'binaryCrossEntropyWithLogits',
  cliName: 'bce-with-logits',
  torch: { module: 'BCEWithLogitsLoss', functional: 'binary_cross_entropy_with_logits' },
  summary: 'logits vs 0/1 targets',
  roles: [
    { name: 'input', shape: 'any shape, logits', dtype: 'float' },
    { name: 'target', shape: "the input's shape", dtype: 'float' },
  ],
  options: OPTIONS,
  loss: binaryCrossEntropyWithLogits,
  partial: binaryCrossEntropyWithLogitsPartial,
});
