import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { BinaryLoss, BinaryLossPartial } from '../forms/elementwiseLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { multiMargin } from '../kernels/multiMargin.js';
import { LossError } from '../LossError.js';
import { numberOption } from '../options/optionChecks.js';
import type { FloatDType } from '../state/LossState.js';
import type { Reduction } from '../state/reduction.js';
import { marginInputShape } from '../tensor/marginInputShape.js';
import { floatTensor, indexView, intTensor, resultDType, showShape } from '../tensor/operands.js';
import { type FloatArray, numel, type Tensor, type TensorInput } from '../tensor/tensor.js';

/** Options of {@link multiMarginLoss}, as `torch.nn.functional.multi_margin_loss`. */
export interface MultiMarginLossOptions {
  /** Exponent of the hinge: 1 (default) or 2. */
  p?: 1 | 2;
  /** Required gap between the target class's score and every other (default 1). */
  margin?: number;
  /** One weight per class (C elements), applied by the target class after the power. */
  weight?: TensorInput;
  /** `'mean'` (default, over samples), `'sum'` or `'none'`. `'mean'` of zero samples throws. */
  reduction?: Reduction;
}

/** The options of multiMarginLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<MultiMarginLossOptions>({
  p: { type: 'number', torch: 'p', default: 1, describe: 'norm degree (multi-margin: 1 or 2)' },
  margin: { type: 'number', torch: 'margin', default: 1.0, describe: 'the margin' },
  weight: { type: 'numbers', torch: 'weight', describe: 'class (or element) weights, e.g. 0.5,1,2' },
  reduction: reductionOption(),
});

/** Every option multiMarginLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const multiMarginLossOptionKeys = optionKeys<MultiMarginLossOptions>(OPTIONS);

const NAME = 'multiMarginLoss';

interface Prepared {
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly rows: number;
  readonly x: FloatArray;
  readonly idx: Int32Array;
  readonly stride: number;
  readonly classes: number;
  readonly p: 1 | 2;
  readonly margin: number;
  readonly w: FloatArray | null;
}

function prepare(
  [input, target]: readonly [TensorInput, TensorInput],
  options: Omit<MultiMarginLossOptions, 'reduction'>,
): Prepared {
  const p = numberOption(NAME, 'p', options.p, 1, (v) => v === 1 || v === 2, '1 or 2') as 1 | 2;
  const margin = numberOption(NAME, 'margin', options.margin, 1);
  const w =
    options.weight === undefined ? undefined : floatTensor(NAME, 'weight', options.weight, 'INVALID_OPTION');
  if (w !== undefined && w.shape.length !== 1) {
    throw new LossError('INVALID_SHAPE', `weight must be one-dimensional, got ${showShape(w.shape)}`, {
      loss: NAME,
      argument: 'weight',
      hint: 'Pass one weight per class: shape [C].',
    });
  }
  const x = floatTensor(NAME, 'input', input);
  const { rows, classes } = marginInputShape(NAME, x.shape);
  const t = intTensor(NAME, 'target', target);
  if (t.shape.length > 1 || numel(t.shape) !== rows) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `inconsistent target size: expected ${rows} class indices, got target ${showShape(t.shape)}`,
      {
        loss: NAME,
        argument: 'target',
        hint: 'Pass one class index per sample: target [N] for input [N, C].',
      },
    );
  }
  // 1.13 reads out of bounds here; torch 2.x checks, and so do we.
  if (w !== undefined && w.data.length !== classes) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `inconsistent weight size: expected ${classes} weights, got ${showShape(w.shape)}`,
      { loss: NAME, argument: 'weight', hint: 'Pass exactly one weight per class.' },
    );
  }
  const { idx, stride } = indexView(NAME, 'target', t.data);
  for (let r = 0; r < rows; r++) {
    const y = idx[r * stride]!;
    if (y < 0 || y >= classes) {
      throw new LossError('TARGET_OUT_OF_RANGE', `target ${y} is out of range for ${classes} classes`, {
        loss: NAME,
        argument: 'target',
        row: r,
        hint: `Class indices must lie in [0, ${classes - 1}].`,
      });
    }
  }
  return {
    dtype: resultDType(x.data, w?.data),
    // torch's 'none' result is [N] for a 1-d target and 0-d for a 0-d one.
    shape: t.shape.length > 0 ? [rows] : [],
    rows,
    x: x.data,
    idx,
    stride,
    classes,
    p,
    margin,
    w: w === undefined ? null : w.data,
  };
}

const impl = defineUnreducedLoss<readonly [TensorInput, TensorInput], MultiMarginLossOptions, Prepared>({
  name: NAME,
  optionKeys: multiMarginLossOptionKeys,
  prepare,
  kernel: (q, out) => multiMargin(q.x, q.idx, q.stride, q.rows, q.classes, q.p, q.margin, q.w, out),
  refuseEmptyMean: true,
});

function multiMarginLossImpl(
  input: TensorInput,
  target: TensorInput,
  options: MultiMarginLossOptions = {},
): Tensor<FloatArray> | number {
  return impl.loss([input, target], options);
}

/**
 * Multi-class hinge loss, as `F.multi_margin_loss`: per sample with class y,
 * Σ_{i≠y} w[y]·max(0, margin − x[y] + x[i])^p / C. Input `[N, C]` with target `[N]`, or `[C]` with
 * a 0-d or 1-element target; targets are integers (Int32Array, BigInt64Array, whole numbers).
 *
 * @example
 * multiMarginLoss([[0.1, 0.2, 0.4, 0.8]], [3]); // (0.3 + 0.4 + 0.6) / 4 = 0.325
 */
export const multiMarginLoss = multiMarginLossImpl as BinaryLoss<MultiMarginLossOptions>;

/**
 * The mergeable state of {@link multiMarginLoss} over these samples, added into `into` when given.
 *
 * @example
 * const s = multiMarginLossPartial(x1, y1, { p: 2 });
 * multiMarginLossPartial(x2, y2, { p: 2 }, s);
 * finalize(s, 'mean');
 */
export const multiMarginLossPartial: BinaryLossPartial<MultiMarginLossOptions> = (
  input,
  target,
  options = {},
  into,
) => impl.partial([input, target], options, into);

/** multiMarginLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const multiMarginLossDescriptor = defineLoss<MultiMarginLossOptions>()({
  name: 'multiMarginLoss',
  cliName: 'multi-margin',
  torch: { module: 'MultiMarginLoss', functional: 'multi_margin_loss' },
  summary: 'multi-class hinge',
  roles: [
    { name: 'input', shape: '(N, C), (C) or ()', dtype: 'float' },
    { name: 'target', shape: 'class indices (N) or ()', dtype: 'int' },
  ],
  options: OPTIONS,
  loss: multiMarginLoss,
  partial: multiMarginLossPartial,
});
