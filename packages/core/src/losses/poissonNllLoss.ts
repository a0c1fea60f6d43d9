import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { poissonNllNone, poissonNllSum } from '../kernels/poissonNll.js';
import { booleanOption, numberOption } from '../options/optionChecks.js';
import type { Reduction } from '../state/reduction.js';

/** Options of {@link poissonNllLoss}, as `torch.nn.functional.poisson_nll_loss`. */
export interface PoissonNllLossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Input holds log-rates (default `true`): loss `exp(x) − y·x`; otherwise rates: `x − y·log(x + eps)`. */
  logInput?: boolean;
  /** Add Stirling's approximation of `log(y!)` where `y > 1` (default `false`). */
  full?: boolean;
  /** Keeps `log(x + eps)` finite when `logInput` is false (default `1e-8`). */
  eps?: number;
}

/** The options of poissonNllLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<PoissonNllLossOptions>({
  reduction: reductionOption(),
  logInput: {
    type: 'boolean',
    torch: 'log_input',
    default: true,
    describe: 'input is the log of the rate (default on)',
  },
  full: { type: 'boolean', torch: 'full', default: false, describe: 'add the constant terms' },
  eps: { type: 'number', torch: 'eps', default: 1e-8, describe: 'numerical floor' },
});

/** Every option poissonNllLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const poissonNllLossOptionKeys = optionKeys<PoissonNllLossOptions>(OPTIONS);

const poisson = defineElementwiseLoss<
  PoissonNllLossOptions,
  { logInput: boolean; full: boolean; eps: number }
>({
  name: 'poissonNllLoss',
  optionKeys: poissonNllLossOptionKeys,
  rule: 'broadcast',
  kernels: { sum: poissonNllSum, none: poissonNllNone },
  params: (o, ops) => {
    const eps = numberOption('poissonNllLoss', 'eps', o.eps, 1e-8);
    return {
      logInput: booleanOption('poissonNllLoss', 'logInput', o.logInput, true),
      full: booleanOption('poissonNllLoss', 'full', o.full, false),
      // torch adds eps as a scalar of the input's dtype.
      eps: ops.dtype === 'float32' ? Math.fround(eps) : eps,
    };
  },
});

/**
 * Poisson negative log-likelihood, as `F.poisson_nll_loss`; input and target broadcast.
 *
 * @example
 * poissonNllLoss([2], [2], { reduction: 'sum' }); // exp(2) − 2·2 ≈ 3.389056
 * poissonNllLoss([2], [2], { reduction: 'sum', full: true }); // ≈ 4.040863 (Stirling term, as y > 1)
 */
export const poissonNllLoss = poisson.loss;

/**
 * The mergeable state of {@link poissonNllLoss} over these rows, added into `into` when given.
 *
 * @example
 * const s = poissonNllLossPartial(logRates1, counts1, { full: true });
 * poissonNllLossPartial(logRates2, counts2, { full: true }, s);
 * finalize(s, 'mean');
 */
export const poissonNllLossPartial = poisson.partial;

/** poissonNllLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const poissonNllLossDescriptor = defineLoss<PoissonNllLossOptions>()({
  name: 'poissonNllLoss',
  cliName: 'poisson-nll',
  torch: { module: 'PoissonNLLLoss', functional: 'poisson_nll_loss' },
  summary: 'Poisson negative log-likelihood',
  roles: [
    { name: 'input', shape: 'any shape, rates (or their logs)', dtype: 'float' },
    { name: 'target', shape: 'broadcasts with input', dtype: 'float' },
  ],
  options: OPTIONS,
  loss: poissonNllLoss,
  partial: poissonNllLossPartial,
});
