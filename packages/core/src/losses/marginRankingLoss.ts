import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { TernaryLoss, TernaryLossPartial } from '../forms/ternaryLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { marginRanking } from '../kernels/marginRanking.js';
import { LossError } from '../LossError.js';
import { numberOption } from '../options/optionChecks.js';
import type { FloatDType } from '../state/LossState.js';
import type { Reduction } from '../state/reduction.js';
import { floatTensor, leadingRows, resultDType, showShape } from '../tensor/operands.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';

/** Options of {@link marginRankingLoss}, as `torch.nn.functional.margin_ranking_loss`. */
export interface MarginRankingLossOptions {
  /** Required gap between the two scores in the labelled order (default 0). */
  margin?: number;
  /** `'mean'` (default, over pairs), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** The options of marginRankingLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<MarginRankingLossOptions>({
  margin: { type: 'number', torch: 'margin', default: 0.0, describe: 'the margin' },
  reduction: reductionOption(),
});

/** Every option marginRankingLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const marginRankingLossOptionKeys = optionKeys<MarginRankingLossOptions>(OPTIONS);

const NAME = 'marginRankingLoss';

interface Prepared {
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly rows: number;
  readonly x1: FloatArray;
  readonly x2: FloatArray;
  readonly y: FloatArray;
  readonly margin: number;
}

function prepare(
  [input1, input2, target]: readonly [TensorInput, TensorInput, TensorInput],
  options: Omit<MarginRankingLossOptions, 'reduction'>,
): Prepared {
  const margin = numberOption(NAME, 'margin', options.margin, 0);
  const x1 = floatTensor(NAME, 'input1', input1);
  const x2 = floatTensor(NAME, 'input2', input2);
  const y = floatTensor(NAME, 'target', target);
  const shapes = `input1 ${showShape(x1.shape)}, input2 ${showShape(x2.shape)}, target ${showShape(y.shape)}`;
  if (x1.shape.length !== x2.shape.length || x1.shape.length !== y.shape.length) {
    throw new LossError('SHAPE_MISMATCH', `all input tensors should have the same dimension, got ${shapes}`, {
      loss: NAME,
      argument: 'target',
      hint: 'Pass input1, input2 and target of the same shape: [N] (or 0-d).',
    });
  }
  // torch 2.x requires identical sizes (1.13 broadcast within the same rank).
  if (x1.shape.some((d, i) => d !== x2.shape[i] || d !== y.shape[i])) {
    throw new LossError('SHAPE_MISMATCH', `all input tensors should have the same size, got ${shapes}`, {
      loss: NAME,
      argument: 'target',
      hint: 'Pass input1, input2 and target of the same shape: [N] (or 0-d).',
    });
  }
  return {
    dtype: resultDType(x1.data, x2.data, y.data),
    shape: x1.shape,
    rows: leadingRows(x1.shape),
    x1: x1.data,
    x2: x2.data,
    y: y.data,
    margin,
  };
}

const impl = defineUnreducedLoss<
  readonly [TensorInput, TensorInput, TensorInput],
  MarginRankingLossOptions,
  Prepared
>({
  name: NAME,
  optionKeys: marginRankingLossOptionKeys,
  prepare,
  kernel: (p, out) => marginRanking(p.x1, p.x2, p.y, p.x1.length, p.margin, out),
});

/**
 * Pairwise ranking loss `max(0, −y·(x1 − x2) + margin)`, as `F.margin_ranking_loss`: y = 1 means
 * x1 should rank higher, y = −1 lower (labels are not checked). The three tensors must have the
 * same shape (torch 2.x).
 *
 * @example
 * marginRankingLoss([0.8, 0.1], [0.3, 0.4], [1, -1], { margin: 0.5 }); // (0 + 0.2) / 2 = 0.1
 */
export const marginRankingLoss = ((
  input1: TensorInput,
  input2: TensorInput,
  target: TensorInput,
  options: MarginRankingLossOptions = {},
): Tensor<FloatArray> | number =>
  impl.loss([input1, input2, target], options)) as TernaryLoss<MarginRankingLossOptions>;

/**
 * The mergeable state of {@link marginRankingLoss} over these pairs, added into `into` when given.
 *
 * @example
 * const s = marginRankingLossPartial(s1, s2, y, { margin: 0.5 });
 * finalize(s, 'mean');
 */
export const marginRankingLossPartial: TernaryLossPartial<MarginRankingLossOptions> = (
  input1,
  input2,
  target,
  options = {},
  into,
) => impl.partial([input1, input2, target], options, into);

/** marginRankingLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const marginRankingLossDescriptor = defineLoss<MarginRankingLossOptions>()({
  name: 'marginRankingLoss',
  cliName: 'margin-ranking',
  torch: { module: 'MarginRankingLoss', functional: 'margin_ranking_loss' },
  summary: 'pairwise ranking, ±1 targets',
  roles: [
    { name: 'input1', column: 'input1', shape: '(N) or ()', dtype: 'float' },
    { name: 'input2', column: 'input2', shape: '(N) or ()', dtype: 'float' },
    { name: 'target', shape: '±1, (N) or ()', dtype: 'either' },
  ],
  options: OPTIONS,
  loss: marginRankingLoss,
  partial: marginRankingLossPartial,
});
