import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { klDivNone, klDivSum } from '../kernels/klDiv.js';
import { booleanOption } from '../options/optionChecks.js';
import type { Reduction } from '../state/reduction.js';
import { leadingRows } from '../tensor/operands.js';

/** Options of {@link klDiv}, as `torch.nn.functional.kl_div`. */
export interface KlDivOptions {
  /**
   * `'mean'` (default; the mean over all elements, which is not the true KL), `'batchmean'`
   * (sum / input's first dimension: the true KL per sample), `'sum'` or `'none'`.
   */
  reduction?: Reduction | 'batchmean';
  /** Target holds log-probabilities (default `false`): loss `exp(y)·(y − x)` instead of `y·log y − y·x`. */
  logTarget?: boolean;
}

/** The options of klDiv, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<KlDivOptions>({
  reduction: reductionOption(['batchmean']),
  logTarget: {
    type: 'boolean',
    torch: 'log_target',
    default: false,
    describe: 'target is log-probabilities',
  },
});

/** Every option klDiv takes, as data (any other key is an `INVALID_OPTION` error). */
export const klDivOptionKeys = optionKeys<KlDivOptions>(OPTIONS);

const kl = defineElementwiseLoss<KlDivOptions, { logTarget: boolean }>({
  name: 'klDiv',
  optionKeys: klDivOptionKeys,
  rule: 'broadcast',
  kernels: { sum: klDivSum, none: klDivNone, wasm: (k) => k.klDiv },
  params: (o) => ({ logTarget: booleanOption('klDiv', 'logTarget', o.logTarget, false) }),
  extraReductions: ['batchmean'],
  // torch divides by input.size(0) (not the broadcast shape's); a 0-d input by nothing.
  rows: (ops) => leadingRows(ops.inputShape),
});

/**
 * Pointwise KL divergence of `target` from `input` (log-probabilities), as `F.kl_div`; input and
 * target broadcast.
 *
 * @example
 * const logQ = [[Math.log(0.25), Math.log(0.75)]];
 * klDiv(logQ, [[0.5, 0.5]], { reduction: 'batchmean' }); // KL(p ‖ q) ≈ 0.143841
 */
export const klDiv = kl.loss;

/**
 * The mergeable state of {@link klDiv} over these rows, added into `into` when given; finalize it
 * with `'batchmean'` for the per-sample KL over all batches.
 *
 * @example
 * const s = klDivPartial(logQ1, p1);
 * klDivPartial(logQ2, p2, {}, s);
 * finalize(s, 'batchmean');
 */
export const klDivPartial = kl.partial;

/** klDiv in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const klDivDescriptor = defineLoss<KlDivOptions>()({
  name: 'klDiv',
  cliName: 'kl-div',
  torch: { module: 'KLDivLoss', functional: 'kl_div' },
  summary: 'KL divergence of log-probabilities',
  roles: [
    { name: 'input', shape: 'any shape, log-probabilities', dtype: 'float' },
    {
      name: 'target',
      shape: 'broadcasts with input; probabilities (log-probabilities with logTarget)',
      dtype: 'float',
    },
  ],
  options: OPTIONS,
  reductions: ['mean', 'sum', 'batchmean'],
  loss: klDiv,
  partial: klDivPartial,
});
