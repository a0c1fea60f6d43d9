import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { BinaryLoss, BinaryLossPartial } from '../forms/elementwiseLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { multilabelSoftMargin } from '../kernels/multilabelSoftMargin.js';
import { LossError } from '../LossError.js';
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
import { type FloatArray, numel, type Tensor, type TensorInput } from '../tensor/tensor.js';

/** Options of {@link multilabelSoftMarginLoss}, as `torch.nn.functional.multilabel_soft_margin_loss`. */
export interface MultilabelSoftMarginLossOptions {
  /** Weights broadcast into input's shape, usually one per class (shape [C]). */
  weight?: TensorInput;
  /** `'mean'` (default, over samples), `'sum'` or `'none'` (input's shape without its last dimension). */
  reduction?: Reduction;
}

/** The options of multilabelSoftMarginLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<MultilabelSoftMarginLossOptions>({
  weight: { type: 'numbers', torch: 'weight', describe: 'class (or element) weights, e.g. 0.5,1,2' },
  reduction: reductionOption(),
});

/** Every option multilabelSoftMarginLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const multilabelSoftMarginLossOptionKeys = optionKeys<MultilabelSoftMarginLossOptions>(OPTIONS);

const NAME = 'multilabelSoftMarginLoss';

interface Prepared {
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly rows: number;
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly w: FloatArray | null;
  readonly samples: number;
  readonly classes: number;
}

/** `t` broadcast into input's shape, which it may not enlarge. */
function intoInput(t: Tensor<FloatArray>, shape: readonly number[], argument: string): FloatArray {
  const out = broadcastShapes(NAME, shape, t.shape, ['input', argument]);
  if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `${argument} ${showShape(t.shape)} broadcasts input ${showShape(shape)} to ${showShape(out)}; the result must keep input's shape`,
      { loss: NAME, argument, hint: `Give ${argument} a shape that broadcasts into input's.` },
    );
  }
  return expandTo(t, shape);
}

function prepare(
  [input, target]: readonly [TensorInput, TensorInput],
  options: Omit<MultilabelSoftMarginLossOptions, 'reduction'>,
): Prepared {
  const x = floatTensor(NAME, 'input', input);
  if (x.shape.length === 0) {
    throw new LossError('INVALID_SHAPE', 'expected an input of 1 or more dimensions, got a 0-d input', {
      loss: NAME,
      argument: 'input',
      hint: 'Pass scores of shape [C] or [N, C]; the last dimension holds the classes.',
    });
  }
  const y = floatTensor(NAME, 'target', target);
  const w =
    options.weight === undefined ? undefined : floatTensor(NAME, 'weight', options.weight, 'INVALID_OPTION');
  const shape = x.shape.slice(0, -1);
  const classes = x.shape[x.shape.length - 1]!;
  return {
    dtype: resultDType(x.data, y.data, w?.data),
    shape,
    rows: leadingRows(shape),
    x: x.data,
    y: intoInput(y, x.shape, 'target'),
    w: w === undefined ? null : intoInput(w, x.shape, 'weight'),
    samples: numel(shape),
    classes,
  };
}

const impl = defineUnreducedLoss<
  readonly [TensorInput, TensorInput],
  MultilabelSoftMarginLossOptions,
  Prepared
>({
  name: NAME,
  optionKeys: multilabelSoftMarginLossOptionKeys,
  prepare,
  kernel: (p, out) => multilabelSoftMargin(p.x, p.y, p.w, p.samples, p.classes, out),
  reductionLast: true,
});

function multilabelSoftMarginLossImpl(
  input: TensorInput,
  target: TensorInput,
  options: MultilabelSoftMarginLossOptions = {},
): Tensor<FloatArray> | number {
  return impl.loss([input, target], options);
}

/**
 * One-vs-all logistic loss over the last dimension (classes), as `F.multilabel_soft_margin_loss`:
 * per sample −(1/C)·Σ_c w_c·(y_c·logσ(x_c) + (1 − y_c)·logσ(−x_c)), divided by C (not by Σw).
 * Targets may be soft (any value in [0, 1]); target and weight broadcast into input.
 *
 * @example
 * multilabelSoftMarginLoss([[2, -1, 0]], [[1, 0, 1]]); // (softplus(−2) + softplus(−1) + log 2) / 3
 */
export const multilabelSoftMarginLoss =
  multilabelSoftMarginLossImpl as BinaryLoss<MultilabelSoftMarginLossOptions>;

/**
 * The mergeable state of {@link multilabelSoftMarginLoss} over these rows, added into `into` when given.
 *
 * @example
 * const s = multilabelSoftMarginLossPartial(x1, y1, { weight });
 * multilabelSoftMarginLossPartial(x2, y2, { weight }, s);
 * finalize(s, 'mean');
 */
export const multilabelSoftMarginLossPartial: BinaryLossPartial<MultilabelSoftMarginLossOptions> = (
  input,
  target,
  options = {},
  into,
) => impl.partial([input, target], options, into);

/** multilabelSoftMarginLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const multilabelSoftMarginLossDescriptor = defineLoss<MultilabelSoftMarginLossOptions>()({
  name: 'multilabelSoftMarginLoss',
  cliName: 'multilabel-soft-margin',
  torch: { module: 'MultiLabelSoftMarginLoss', functional: 'multilabel_soft_margin_loss' },
  summary: 'multi-label one-vs-all',
  roles: [
    { name: 'input', shape: '(N, C) or (C) logits', dtype: 'float' },
    { name: 'target', shape: "0/1 labels of the input's shape", dtype: 'float' },
  ],
  options: OPTIONS,
  loss: multilabelSoftMarginLoss,
  partial: multilabelSoftMarginLossPartial,
});
