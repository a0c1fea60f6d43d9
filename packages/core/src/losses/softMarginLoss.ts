import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { softMarginNone, softMarginSum } from '../kernels/softMargin.js';
import type { Reduction } from '../state/reduction.js';

/** Options of {@link softMarginLoss}, as `torch.nn.functional.soft_margin_loss`. */
export interface SoftMarginLossOptions {
  /** `'mean'` (default, over all elements), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** The options of softMarginLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<SoftMarginLossOptions>({
  reduction: reductionOption(),
});

/** Every option softMarginLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const softMarginLossOptionKeys = optionKeys<SoftMarginLossOptions>(OPTIONS);

const softMargin = defineElementwiseLoss<SoftMarginLossOptions, undefined>({
  name: 'softMarginLoss',
  optionKeys: softMarginLossOptionKeys,
  rule: 'intoInput',
  kernels: { sum: softMarginSum, none: softMarginNone },
  params: () => undefined,
});

/**
 * Two-class logistic loss `log(1 + exp(−y·x))`, as `F.soft_margin_loss`: labels y are usually ±1
 * (not checked); target broadcasts into input's shape. Evaluated literally as torch does, so
 * −y·x > 709.78 gives +Infinity.
 *
 * @example
 * softMarginLoss([2, -1], [1, -1]); // (log(1 + e⁻²) + log(1 + e⁻¹)) / 2 ≈ 0.2201
 */
export const softMarginLoss = softMargin.loss;

/**
 * The mergeable state of {@link softMarginLoss} over these rows, added into `into` when given.
 *
 * @example
 * const s = softMarginLossPartial(x1, y1);
 * softMarginLossPartial(x2, y2, {}, s);
 * finalize(s, 'mean');
 */
export const softMarginLossPartial = softMargin.partial;

/** softMarginLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const softMarginLossDescriptor = defineLoss<SoftMarginLossOptions>()({
  name: 'softMarginLoss',
  cliName: 'soft-margin',
  torch: { module: 'SoftMarginLoss', functional: 'soft_margin_loss' },
  summary: 'logistic loss for ±1 targets',
  roles: [
    { name: 'input', shape: 'any shape', dtype: 'float' },
    { name: 'target', shape: "±1, broadcasts into the input's shape", dtype: 'float' },
  ],
  options: OPTIONS,
  loss: softMarginLoss,
  partial: softMarginLossPartial,
});
