import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { BinaryLoss, BinaryLossPartial } from '../forms/elementwiseLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { multilabelMargin } from '../kernels/multilabelMargin.js';
import { LossError } from '../LossError.js';
import type { FloatDType } from '../state/LossState.js';
import type { Reduction } from '../state/reduction.js';
import { marginInputShape } from '../tensor/marginInputShape.js';
import { floatTensor, indexView, intTensor, resultDType, showShape } from '../tensor/operands.js';
import { type FloatArray, numel, type Tensor, type TensorInput } from '../tensor/tensor.js';

/** Options of {@link multilabelMarginLoss}, as `torch.nn.functional.multilabel_margin_loss`. */
export interface MultilabelMarginLossOptions {
  /** `'mean'` (default, over samples), `'sum'` or `'none'`. `'mean'` of zero samples throws. */
  reduction?: Reduction;
}

/** The options of multilabelMarginLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<MultilabelMarginLossOptions>({
  reduction: reductionOption(),
});

/** Every option multilabelMarginLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const multilabelMarginLossOptionKeys = optionKeys<MultilabelMarginLossOptions>(OPTIONS);

const NAME = 'multilabelMarginLoss';

interface Prepared {
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly rows: number;
  readonly x: FloatArray;
  readonly idx: Int32Array;
  readonly stride: number;
  readonly classes: number;
}

function prepare([input, target]: readonly [TensorInput, TensorInput]): Prepared {
  const x = floatTensor(NAME, 'input', input);
  const t = intTensor(NAME, 'target', target);
  const s = x.shape;
  const { batched, rows, classes } = marginInputShape(NAME, s);
  const fits = batched
    ? t.shape.length === 2 && t.shape[0] === rows && t.shape[1] === classes
    : t.shape.length <= 1 && numel(t.shape) === classes;
  if (!fits) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `target ${showShape(t.shape)} does not match input ${showShape(s)}`,
      {
        loss: NAME,
        argument: 'target',
        hint: "Give target input's shape: C label slots per sample, −1 ends the list.",
      },
    );
  }
  const { idx, stride } = indexView(NAME, 'target', t.data);
  // torch checks every slot, also those after the −1 that ends the label list.
  for (let i = 0; i < t.data.length; i++) {
    const j = idx[i * stride]!;
    if (j < -1 || j >= classes) {
      throw new LossError('TARGET_OUT_OF_RANGE', `target ${j} is out of range for ${classes} classes`, {
        loss: NAME,
        argument: 'target',
        row: batched ? Math.floor(i / classes) : 0,
        hint: `Labels must lie in [0, ${classes - 1}]; −1 ends a sample's label list.`,
      });
    }
  }
  return {
    dtype: resultDType(x.data),
    shape: batched ? [rows] : [],
    rows,
    x: x.data,
    idx,
    stride,
    classes,
  };
}

const impl = defineUnreducedLoss<readonly [TensorInput, TensorInput], MultilabelMarginLossOptions, Prepared>({
  name: NAME,
  optionKeys: multilabelMarginLossOptionKeys,
  prepare,
  kernel: (p, out) =>
    multilabelMargin(p.x, p.idx, p.stride, p.rows, p.classes, new Uint8Array(p.classes), out),
  refuseEmptyMean: true,
});

function multilabelMarginLossImpl(
  input: TensorInput,
  target: TensorInput,
  options: MultilabelMarginLossOptions = {},
): Tensor<FloatArray> | number {
  return impl.loss([input, target], options);
}

/**
 * Multi-label hinge loss, as `F.multilabel_margin_loss`: each target row lists label indices,
 * ended by the first −1; per sample Σ_{j labelled} Σ_{k not} max(0, 1 − (x[j] − x[k])) / C
 * (a repeated label counts twice). Input `[N, C]` with target `[N, C]`, or `[C]` with `[C]`;
 * targets are integers (Int32Array, BigInt64Array, whole numbers).
 *
 * @example
 * multilabelMarginLoss([[0.1, 0.2, 0.4, 0.8]], [[3, 0, -1, 1]]); // 0.85
 */
export const multilabelMarginLoss = multilabelMarginLossImpl as BinaryLoss<MultilabelMarginLossOptions>;

/**
 * The mergeable state of {@link multilabelMarginLoss} over these samples, added into `into` when given.
 *
 * @example
 * const s = multilabelMarginLossPartial(x1, labels1);
 * multilabelMarginLossPartial(x2, labels2, {}, s);
 * finalize(s, 'mean');
 */
export const multilabelMarginLossPartial: BinaryLossPartial<MultilabelMarginLossOptions> = (
  input,
  target,
  options = {},
  into,
) => impl.partial([input, target], options, into);

/** multilabelMarginLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const multilabelMarginLossDescriptor = defineLoss<MultilabelMarginLossOptions>()({
  name: 'multilabelMarginLoss',
  cliName: 'multilabel-margin',
  torch: { module: 'MultiLabelMarginLoss', functional: 'multilabel_margin_loss' },
  summary: 'multi-label hinge, -1-terminated targets',
  roles: [
    { name: 'input', shape: '(N, C), (C) or ()', dtype: 'float' },
    { name: 'target', shape: "class indices of the input's shape, ended by -1", dtype: 'int' },
  ],
  options: OPTIONS,
  loss: multilabelMarginLoss,
  partial: multilabelMarginLossPartial,
});
