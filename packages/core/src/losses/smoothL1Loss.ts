import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { smoothL1None, smoothL1Sum } from '../kernels/smoothL1.js';
import { numberOption } from '../options/optionChecks.js';
import type { Reduction } from '../state/reduction.js';

/** Options of {@link smoothL1Loss}, as `torch.nn.functional.smooth_l1_loss`. */
export interface SmoothL1LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Where the loss turns from quadratic to linear; must be ≥ 0, and 0 gives L1 (default `1`). */
  beta?: number;
}

/** The options of smoothL1Loss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<SmoothL1LossOptions>({
  reduction: reductionOption(),
  beta: {
    type: 'number',
    torch: 'beta',
    default: 1.0,
    describe: 'where the loss turns from quadratic to linear',
  },
});

/** Every option smoothL1Loss takes, as data (any other key is an `INVALID_OPTION` error). */
export const smoothL1LossOptionKeys = optionKeys<SmoothL1LossOptions>(OPTIONS);

const smoothL1 = defineElementwiseLoss<SmoothL1LossOptions, { beta: number }>({
  name: 'smoothL1Loss',
  optionKeys: smoothL1LossOptionKeys,
  rule: 'broadcast',
  kernels: { sum: smoothL1Sum, none: smoothL1None, wasm: (k) => k.smoothL1 },
  params: (o, ops) => {
    const beta = numberOption('smoothL1Loss', 'beta', o.beta, 1, (b) => b >= 0, 'a number ≥ 0');
    // torch casts β to the input's dtype before comparing and dividing.
    return { beta: ops.dtype === 'float32' ? Math.fround(beta) : beta };
  },
});

/**
 * Smooth L1 loss, as `F.smooth_l1_loss`: `0.5·z²/β` for `z = |x − y| < β`, else `z − 0.5·β`
 * (L1 when β = 0); input and target broadcast.
 *
 * @example
 * smoothL1Loss([0, 0], [0.5, 3], { beta: 2 }); // (0.0625 + 2) / 2 = 1.03125
 */
export const smoothL1Loss = smoothL1.loss;

/**
 * The mergeable state of {@link smoothL1Loss} over these rows, added into `into` when given.
 *
 * @example
 * const s = smoothL1LossPartial(x1, y1, { beta: 0.5 });
 * smoothL1LossPartial(x2, y2, { beta: 0.5 }, s);
 * finalize(s, 'sum');
 */
export const smoothL1LossPartial = smoothL1.partial;

/** smoothL1Loss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const smoothL1LossDescriptor = defineLoss<SmoothL1LossOptions>()({
  name: 'smoothL1Loss',
  cliName: 'smooth-l1',
  torch: { module: 'SmoothL1Loss', functional: 'smooth_l1_loss' },
  summary: 'smooth L1 (beta)',
  roles: [
    { name: 'input', shape: 'any shape', dtype: 'float' },
    { name: 'target', shape: 'broadcasts with input', dtype: 'float' },
  ],
  options: OPTIONS,
  loss: smoothL1Loss,
  partial: smoothL1LossPartial,
});
