import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { mseNone, mseSum } from '../kernels/mse.js';
import type { Reduction } from '../state/reduction.js';
import type { TensorInput } from '../tensor/tensor.js';

/** Options of {@link mseLoss}, as `torch.nn.functional.mse_loss`. */
export interface MseLossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Per-element weights of input's size (torch 2.x); `'mean'` becomes Σ w·l / Σ w. */
  weight?: TensorInput;
}

/** The options of mseLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<MseLossOptions>({
  reduction: reductionOption(),
  weight: { type: 'numbers', torch: 'weight', describe: 'class (or element) weights, e.g. 0.5,1,2' },
});

/** Every option mseLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const mseLossOptionKeys = optionKeys<MseLossOptions>(OPTIONS);

const mse = defineElementwiseLoss<MseLossOptions, undefined>({
  name: 'mseLoss',
  optionKeys: mseLossOptionKeys,
  rule: 'broadcast',
  kernels: { sum: mseSum, none: mseNone, wasm: (k) => k.mse },
  params: () => undefined,
  weight: (o) => o.weight,
});

/**
 * Mean squared error `(x − y)²`, as `F.mse_loss`; input and target broadcast.
 *
 * @example
 * mseLoss([0.5, 2], [1, 1]); // 0.625
 * mseLoss([0.5, 2], [1, 1], { reduction: 'none' }); // { data: Float64Array [0.25, 1], shape: [2] }
 */
export const mseLoss = mse.loss;

/**
 * The mergeable state of {@link mseLoss} over these rows, added into `into` when given.
 *
 * @example
 * const s = mseLossPartial(x1, y1);
 * mseLossPartial(x2, y2, {}, s);
 * finalize(s, 'mean'); // mseLoss over both batches
 */
export const mseLossPartial = mse.partial;

/** mseLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const mseLossDescriptor = defineLoss<MseLossOptions>()({
  name: 'mseLoss',
  cliName: 'mse',
  torch: { module: 'MSELoss', functional: 'mse_loss' },
  summary: 'squared error',
  roles: [
    { name: 'input', shape: 'any shape', dtype: 'float' },
    { name: 'target', shape: 'broadcasts with input', dtype: 'float' },
  ],
  options: OPTIONS,
  loss: mseLoss,
  partial: mseLossPartial,
});
