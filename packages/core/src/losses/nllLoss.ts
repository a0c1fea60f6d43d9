import { defineLoss } from '../descriptor/defineLoss.js';
import { classOptions, describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import type { BinaryLoss, BinaryLossPartial } from '../forms/elementwiseLoss.js';
import { nllKernel } from '../kernels/nll.js';
import { addToState, finalize, type LossState } from '../state/LossState.js';
import { partialState } from '../state/partialState.js';
import { checkReduction, type Reduction } from '../state/reduction.js';
import { classLayout, classTargets, classWeight, ignoreIndexOption } from '../tensor/classOperands.js';
import { allocFloat, floatTensor, resultDType } from '../tensor/operands.js';
import { type FloatArray, numel, type Tensor, type TensorInput } from '../tensor/tensor.js';
import { wasmKernels } from '../wasm/wasmKernels.js';

/** Options of {@link nllLoss}, as `torch.nn.functional.nll_loss`. */
export interface NllLossOptions {
  /** `'mean'` (default; Σ loss / Σ w[target] over non-ignored samples), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** One weight per class (a tensor or number array of C elements). */
  weight?: TensorInput;
  /**
   * Samples whose target equals this are skipped, in the loss and in the mean's denominator
   * (default −100; may lie in [0, C)). Any int64, as torch's: a bigint beyond 2^53 is compared
   * exactly with BigInt64Array targets, and one that no target equals ignores nothing.
   */
  ignoreIndex?: number | bigint;
}

/** The options of nllLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<NllLossOptions>({
  reduction: reductionOption(),
  ...classOptions(),
});

/** Every option nllLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const nllLossOptionKeys = optionKeys<NllLossOptions>(OPTIONS);

const NAME = 'nllLoss';
const acc = new Float64Array(2);

function run(
  input: TensorInput,
  target: TensorInput,
  options: Omit<NllLossOptions, 'reduction'>,
  out: boolean,
) {
  const x = floatTensor(NAME, 'input', input);
  const layout = classLayout(NAME, x);
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const w = classWeight(NAME, options.weight, layout.classes);
  const { idx, stride, ignore } = classTargets(NAME, target, layout, x.shape, ignoreIndex);
  const dtype = resultDType(x.data);
  const values = out ? allocFloat(dtype, numel(layout.sampleShape)) : null;
  const { outer, classes, inner } = layout;
  // As crossEntropy: WASM for rows of C contiguous float32 log-probabilities, JS otherwise.
  if (inner === 1 && x.data instanceof Float32Array && (values === null || values instanceof Float32Array)) {
    const k = wasmKernels();
    if (k !== null) {
      k.nll(x.data, outer, classes, 1, idx, stride, w, ignore, values, acc);
      return { layout, dtype, values };
    }
  }
  nllKernel(x.data, outer, classes, inner, idx, stride, w, ignore, values, acc);
  return { layout, dtype, values };
}

/**
 * The mergeable state of {@link nllLoss} over these rows (Σ loss, and Σ w[target] as the `'mean'`
 * denominator), added into `into` when given.
 *
 * @example
 * const s = nllLossPartial(logProbs1, target1, { ignoreIndex: 0 });
 * nllLossPartial(logProbs2, target2, { ignoreIndex: 0 }, s);
 * finalize(s, 'mean'); // NaN if every target was ignored, as in torch
 */
export const nllLossPartial: BinaryLossPartial<NllLossOptions> = (input, target, options = {}, into) => {
  checkOptionKeys(NAME, options, nllLossOptionKeys, 'partial');
  return accumulate(input, target, options, into);
};

/** The partial form without its option check, for the one-shot form (whose `reduction` it ignores). */
function accumulate(
  input: TensorInput,
  target: TensorInput,
  options: NllLossOptions,
  into: LossState | undefined,
): LossState {
  const { layout, dtype } = run(input, target, options, false);
  return addToState(partialState(NAME, dtype, into), acc[0]!, acc[1]!, layout.rows);
}

function nll(
  input: TensorInput,
  target: TensorInput,
  options: NllLossOptions = {},
): Tensor<FloatArray> | number {
  checkOptionKeys(NAME, options, nllLossOptionKeys);
  const reduction = checkReduction(NAME, options.reduction);
  if (reduction !== 'none') return finalize(accumulate(input, target, options, undefined), reduction);
  const { layout, values } = run(input, target, options, true);
  return { data: values!, shape: layout.sampleShape };
}

/**
 * Negative log-likelihood of class indices, as `F.nll_loss`: `−w[y]·x[y]` per sample, with input
 * `[C]` (0-d target), `[N, C]` (target `[N]`) or `[N, C, d1…dK]` (target `[N, d1…dK]`).
 * Targets may be any integer array (Int32Array, BigInt64Array, …) or whole numbers.
 *
 * @example
 * const logProbs = tensor([[-0.1, -2.4], [-1.2, -0.4]]);
 * nllLoss(logProbs, new Int32Array([0, 1]), { weight: [1, 3] }); // (0.1 + 3·0.4) / 4 = 0.325
 */
export const nllLoss = nll as BinaryLoss<NllLossOptions>;

/** nllLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const nllLossDescriptor = defineLoss<NllLossOptions>()({
  name: 'nllLoss',
  cliName: 'nll',
  torch: { module: 'NLLLoss', functional: 'nll_loss' },
  summary: 'log-probabilities vs class indices',
  roles: [
    { name: 'input', shape: '(N, C), (C) or (N, C, d1, …) log-probabilities', dtype: 'float' },
    { name: 'target', shape: 'class indices (N), () or (N, d1, …)', dtype: 'int' },
  ],
  options: OPTIONS,
  loss: nllLoss,
  partial: nllLossPartial,
});
