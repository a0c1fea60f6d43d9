import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { l1None, l1Sum } from '../kernels/l1.js';
import type { Reduction } from '../state/reduction.js';
import type { TensorInput } from '../tensor/tensor.js';

/** Options of {@link l1Loss}, as `torch.nn.functional.l1_loss`. */
export interface L1LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Per-element weights of input's size (torch 2.x); `'mean'` becomes Σ w·l / Σ w. */
  weight?: TensorInput;
}

/** The options of l1Loss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<L1LossOptions>({
  reduction: reductionOption(),
  weight: { type: 'numbers', torch: 'weight', describe: 'class (or element) weights, e.g. 0.5,1,2' },
});

/** Every option l1Loss takes, as data (any other key is an `INVALID_OPTION` error). */
export const l1LossOptionKeys = optionKeys<L1LossOptions>(OPTIONS);

const l1 = defineElementwiseLoss<L1LossOptions, undefined>({
  name: 'l1Loss',
  optionKeys: l1LossOptionKeys,
  rule: 'broadcast',
  kernels: { sum: l1Sum, none: l1None, wasm: (k) => k.l1 },
  params: () => undefined,
  weight: (o) => o.weight,
});

/**
 * Mean absolute error `|x − y|`, as `F.l1_loss`; input and target broadcast.
 *
 * @example
 * l1Loss([0.5, 2], [1, 1]); // 0.75
 */
export const l1Loss = l1.loss;

/** The mergeable state of {@link l1Loss} over these rows, added into `into` when given. */
export const l1LossPartial = l1.partial;

/** l1Loss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const l1LossDescriptor = defineLoss<L1LossOptions>()({
  name: 'l1Loss',
  cliName: 'l1',
  torch: { module: 'L1Loss', functional: 'l1_loss' },
  summary: 'absolute error',
  roles: [
    { name: 'input', shape: 'any shape', dtype: 'float' },
    { name: 'target', shape: 'broadcasts with input', dtype: 'float' },
  ],
  options: OPTIONS,
  loss: l1Loss,
  partial: l1LossPartial,
});
