import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { huberNone, huberSum } from '../kernels/huber.js';
import { numberOption } from '../options/optionChecks.js';
import type { Reduction } from '../state/reduction.js';
import type { TensorInput } from '../tensor/tensor.js';

/** Options of {@link huberLoss}, as `torch.nn.functional.huber_loss`. */
export interface HuberLossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Where the loss turns from quadratic to linear; must be > 0 (default `1`). */
  delta?: number;
  /** Per-element weights of input's size (torch 2.x); `'mean'` becomes Σ w·l / Σ w. */
  weight?: TensorInput;
}

/** The options of huberLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<HuberLossOptions>({
  reduction: reductionOption(),
  delta: {
    type: 'number',
    torch: 'delta',
    default: 1.0,
    describe: 'where the loss turns from quadratic to linear',
  },
  weight: { type: 'numbers', torch: 'weight', describe: 'class (or element) weights, e.g. 0.5,1,2' },
});

/** Every option huberLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const huberLossOptionKeys = optionKeys<HuberLossOptions>(OPTIONS);

const huber = defineElementwiseLoss<HuberLossOptions, { delta: number }>({
  name: 'huberLoss',
  optionKeys: huberLossOptionKeys,
  rule: 'broadcast',
  kernels: { sum: huberSum, none: huberNone, wasm: (k) => k.huber },
  params: (o, ops) => {
    const delta = numberOption('huberLoss', 'delta', o.delta, 1, (d) => d > 0, 'a number > 0');
    // torch casts δ to the input's dtype before comparing and multiplying.
    return { delta: ops.dtype === 'float32' ? Math.fround(delta) : delta };
  },
  weight: (o) => o.weight,
});

/**
 * Huber loss, as `F.huber_loss`: `0.5·z²` for `z = |x − y| < δ`, else `δ·(z − 0.5·δ)`; input and
 * target broadcast.
 *
 * @example
 * huberLoss([0, 0], [0.5, 3], { delta: 1 }); // (0.125 + 2.5) / 2 = 1.3125
 */
export const huberLoss = huber.loss;

/**
 * The mergeable state of {@link huberLoss} over these rows, added into `into` when given.
 *
 * @example
 * const s = huberLossPartial(x1, y1, { delta: 2 });
 * huberLossPartial(x2, y2, { delta: 2 }, s);
 * finalize(s, 'mean');
 */
export const huberLossPartial = huber.partial;

/** huberLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const huberLossDescriptor = defineLoss<HuberLossOptions>()({
  name: 'huberLoss',
  cliName: 'huber',
  torch: { module: 'HuberLoss', functional: 'huber_loss' },
  summary: 'Huber loss (delta)',
  roles: [
    { name: 'input', shape: 'any shape', dtype: 'float' },
    { name: 'target', shape: 'broadcasts with input', dtype: 'float' },
  ],
  options: OPTIONS,
  loss: huberLoss,
  partial: huberLossPartial,
});
