import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { TernaryLoss, TernaryLossPartial } from '../forms/ternaryLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { gaussianNll } from '../kernels/gaussianNll.js';
import { LossError } from '../LossError.js';
import { booleanOption, numberOption } from '../options/optionChecks.js';
import type { FloatDType } from '../state/LossState.js';
import type { Reduction } from '../state/reduction.js';
import {
  broadcastShapes,
  expandTo,
  floatTensor,
  leadingRows,
  resultDType,
  showShape,
} from '../tensor/operands.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';

/** Options of {@link gaussianNllLoss}, as `torch.nn.functional.gaussian_nll_loss`. */
export interface GaussianNllLossOptions {
  /** Add the constant ½·log(2π) to every element (default false). */
  full?: boolean;
  /** Variances are clamped to at least this, for stability (default 1e-6). */
  eps?: number;
  /** `'mean'` (default, over all elements), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** The options of gaussianNllLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<GaussianNllLossOptions>({
  full: { type: 'boolean', torch: 'full', default: false, describe: 'add the constant terms' },
  eps: { type: 'number', torch: 'eps', default: 1e-6, describe: 'numerical floor' },
  reduction: reductionOption(),
});

/** Every option gaussianNllLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const gaussianNllLossOptionKeys = optionKeys<GaussianNllLossOptions>(OPTIONS);

const NAME = 'gaussianNllLoss';

interface Prepared {
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly rows: number;
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly v: FloatArray;
  readonly eps: number;
  readonly full: boolean;
}

function negativeVar(value: number, row: number | undefined): LossError {
  return new LossError('INVALID_VALUE', `var has a negative entry (${value})`, {
    loss: NAME,
    argument: 'var',
    ...(row === undefined ? {} : { row }),
    hint: 'Variances must be ≥ 0 (values below eps are clamped to eps).',
  });
}

/**
 * torch 2.x's rule for `var`'s shape: input's shape; input's shape without its last dimension
 * (unsqueezed to a trailing 1); or input's shape with exactly one differing dimension where var
 * has size 1 (which includes a trailing 1).
 */
function varShape(input: readonly number[], v: readonly number[]): readonly number[] {
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(input, v)) return v;
  if (same(input.slice(0, -1), v)) return [...v, 1];
  if (input.length === v.length) {
    let mismatched = 0;
    let ones = 0;
    for (let i = 0; i < v.length; i++) {
      if (v[i] !== input[i]) {
        mismatched++;
        if (v[i] === 1) ones++;
      }
    }
    if (mismatched === 1 && ones === 1) return v;
  }
  // torch also accepts a 0-d input with a var of shape [1] (input.shape[:-1] == var.shape[:-1]).
  if (input.length === 0 && v.length === 1 && v[0] === 1) return v;
  throw new LossError(
    'SHAPE_MISMATCH',
    `var is of incorrect size: ${showShape(v)} for input ${showShape(input)}`,
    {
      loss: NAME,
      argument: 'var',
      hint: "Give var input's shape, input's shape without its last dimension, or input's shape with one dimension of size 1.",
    },
  );
}

function prepare(
  [input, target, variance]: readonly [TensorInput, TensorInput, TensorInput],
  options: Omit<GaussianNllLossOptions, 'reduction'>,
): Prepared {
  const eps = numberOption(NAME, 'eps', options.eps, 1e-6);
  const full = booleanOption(NAME, 'full', options.full, false);
  const x = floatTensor(NAME, 'input', input);
  const y = floatTensor(NAME, 'target', target);
  const dtype = resultDType(x.data, y.data);
  let v: Tensor<FloatArray>;
  if (typeof variance === 'number') {
    // A Python float var: torch 2.x multiplies it into ones_like(input), so it takes input's dtype.
    if (variance < 0) throw negativeVar(variance, undefined);
    v = {
      data: Float64Array.of(x.data instanceof Float32Array ? Math.fround(variance) : variance),
      shape: [],
    };
  } else {
    const t = floatTensor(NAME, 'var', variance);
    // torch 2.x checks the sign before the shape; a NaN var passes, as there.
    const perRow = t.shape.length === 0 ? 0 : t.data.length / t.shape[0]!;
    for (let i = 0; i < t.data.length; i++) {
      if (t.data[i]! < 0) throw negativeVar(t.data[i]!, perRow === 0 ? undefined : Math.floor(i / perRow));
    }
    v = { data: t.data, shape: varShape(x.shape, t.shape) };
  }
  const xy = broadcastShapes(NAME, x.shape, y.shape, ['input', 'target']);
  const shape = broadcastShapes(NAME, xy, v.shape, ['input', 'var']);
  return {
    dtype: typeof variance === 'number' ? dtype : resultDType(x.data, y.data, v.data),
    shape,
    rows: leadingRows(shape),
    x: expandTo(x, shape),
    y: expandTo(y, shape),
    v: expandTo(v, shape),
    eps,
    full,
  };
}

const impl = defineUnreducedLoss<
  readonly [TensorInput, TensorInput, TensorInput],
  GaussianNllLossOptions,
  Prepared
>({
  name: NAME,
  optionKeys: gaussianNllLossOptionKeys,
  prepare,
  kernel: (p, out) => gaussianNll(p.x, p.y, p.v, p.x.length, p.eps, p.full, out),
  reductionLast: true,
});

/**
 * Gaussian negative log-likelihood of `target` under N(input, var), as `F.gaussian_nll_loss`
 * (torch 2.x): ½·(log max(var, eps) + (input − target)²/max(var, eps)) per element. `var` may be
 * a tensor (input's shape, one dimension short, or with one size-1 dimension) or a plain number
 * (a Python float, used for every element; a 0-d tensor instead follows the shape rule).
 *
 * @example
 * gaussianNllLoss([0.5, 2], [1, 1], [1, 4]); // mean of ½·(0 + 0.25) and ½·(log 4 + 0.25)
 * gaussianNllLoss(mu, y, 0.5, { full: true, reduction: 'sum' });
 */
export const gaussianNllLoss = ((
  input: TensorInput,
  target: TensorInput,
  variance: TensorInput,
  options: GaussianNllLossOptions = {},
) => impl.loss([input, target, variance], options)) as TernaryLoss<GaussianNllLossOptions>;

/**
 * The mergeable state of {@link gaussianNllLoss} over these rows, added into `into` when given.
 *
 * @example
 * const s = gaussianNllLossPartial(mu1, y1, var1);
 * gaussianNllLossPartial(mu2, y2, var2, {}, s);
 * finalize(s, 'mean');
 */
export const gaussianNllLossPartial: TernaryLossPartial<GaussianNllLossOptions> = (
  input,
  target,
  variance,
  options = {},
  into,
) => impl.partial([input, target, variance], options, into);

/** gaussianNllLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const gaussianNllLossDescriptor = defineLoss<GaussianNllLossOptions>()({
  name: 'gaussianNllLoss',
  cliName: 'gaussian-nll',
  torch: { module: 'GaussianNLLLoss', functional: 'gaussian_nll_loss' },
  summary: 'Gaussian NLL with a variance column',
  roles: [
    { name: 'input', shape: 'any shape, means', dtype: 'float' },
    { name: 'target', shape: "the input's shape", dtype: 'float' },
    {
      name: 'var',
      column: 'var',
      shape: "the input's shape, without its last dimension, or with one dimension of size 1",
      dtype: 'float',
    },
  ],
  options: OPTIONS,
  loss: gaussianNllLoss,
  partial: gaussianNllLossPartial,
});
