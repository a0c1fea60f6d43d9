import { defineLoss } from '../descriptor/defineLoss.js';
import { classOptions, describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import type { BinaryLoss, BinaryLossPartial } from '../forms/elementwiseLoss.js';
import { crossEntropyIndexKernel, crossEntropyProbabilityKernel } from '../kernels/crossEntropy.js';
import { LossError } from '../LossError.js';
import { numberOption } from '../options/optionChecks.js';
import { classRowStatsWanted, offerClassRowStats } from '../pass/classRowStatsScope.js';
import { addToState, type FloatDType, finalize, type LossState } from '../state/LossState.js';
import { partialState } from '../state/partialState.js';
import { checkReduction, type Reduction } from '../state/reduction.js';
import {
  type ClassLayout,
  classLayout,
  classTargets,
  classWeight,
  ignoreIndexOption,
} from '../tensor/classOperands.js';
import { allocFloat, floatTensor, resultDType, showShape, toTensor } from '../tensor/operands.js';
import { type FloatArray, isFloatData, numel, type Tensor, type TensorInput } from '../tensor/tensor.js';
import { wasmKernels } from '../wasm/wasmKernels.js';

/** Options of {@link crossEntropy}, as `torch.nn.functional.cross_entropy`. */
export interface CrossEntropyOptions {
  /**
   * `'mean'` (default), `'sum'` or `'none'`. With class indices the mean is Σ loss / Σ w[target]
   * over non-ignored samples; with class probabilities it is Σ loss / (N·d1⋯dK).
   */
  reduction?: Reduction;
  /** One weight per class (a tensor or number array of C elements). */
  weight?: TensorInput;
  /**
   * Samples whose class-index target equals this are skipped, in the loss and in the mean's
   * denominator (default −100; may lie in [0, C)). Must be negative with probability targets. Any
   * int64, as torch's: a bigint beyond 2^53 is compared exactly with BigInt64Array targets, and
   * one that no target equals ignores nothing.
   */
  ignoreIndex?: number | bigint;
  /** Mixes the target with the uniform distribution: `(1 − ε)·y + ε/C`; ε ≤ 1, and ε < 0 counts as 0 (default 0). */
  labelSmoothing?: number;
}

/** The options of crossEntropy, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<CrossEntropyOptions>({
  reduction: reductionOption(),
  ...classOptions(),
  labelSmoothing: {
    type: 'number',
    torch: 'label_smoothing',
    default: 0.0,
    describe: 'label smoothing in [0, 1]',
  },
});

/** Every option crossEntropy takes, as data (any other key is an `INVALID_OPTION` error). */
export const crossEntropyOptionKeys = optionKeys<CrossEntropyOptions>(OPTIONS);

const NAME = 'crossEntropy';
const acc = new Float64Array(2);

interface Run {
  layout: ClassLayout;
  dtype: FloatDType;
  values: FloatArray | null;
}

function run(
  input: TensorInput,
  target: TensorInput,
  options: Omit<CrossEntropyOptions, 'reduction'>,
  out: boolean,
): Run {
  const x = floatTensor(NAME, 'input', input);
  const layout = classLayout(NAME, x);
  const eps = Math.max(
    0,
    numberOption(
      NAME,
      'labelSmoothing',
      options.labelSmoothing,
      0,
      (e) => e <= 1,
      'a number between 0 and 1',
    ),
  );
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const w = classWeight(NAME, options.weight, layout.classes);
  const { outer, classes, inner, sampleShape } = layout;
  const t = toTensor(target, NAME, 'target');
  // torch's rule: a target of input's exact shape holds class probabilities, any other class indices.
  if (t.shape.length === x.shape.length && t.shape.every((d, i) => d === x.shape[i])) {
    if (!isFloatData(t.data)) {
      throw new LossError(
        'INVALID_DTYPE',
        `a target of input's shape ${showShape(x.shape)} holds class probabilities and must be floating-point, got ${t.data.constructor.name}`,
        {
          loss: NAME,
          argument: 'target',
          hint: `For class indices give target the shape ${showShape(sampleShape)}; for probabilities pass a Float32Array or Float64Array.`,
        },
      );
    }
    if (ignoreIndex >= 0) {
      throw new LossError(
        'INVALID_OPTION',
        `ignoreIndex (${ignoreIndex}) is not supported with probability targets`,
        {
          loss: NAME,
          argument: 'ignoreIndex',
          hint: 'Leave ignoreIndex at its default (or any negative value) when target holds class probabilities.',
        },
      );
    }
    const dtype = resultDType(x.data, t.data);
    const values = out ? allocFloat(dtype, numel(sampleShape)) : null;
    crossEntropyProbabilityKernel(x.data, t.data, outer, classes, inner, w, eps, values, acc);
    return { layout, dtype, values };
  }
  const { idx, stride, ignore } = classTargets(NAME, target, layout, x.shape, ignoreIndex);
  let wSum = classes;
  if (w !== null) {
    wSum = 0;
    for (let c = 0; c < classes; c++) wSum += w[c]!;
  }
  const dtype = resultDType(x.data);
  const values = out ? allocFloat(dtype, numel(sampleShape)) : null;
  // The WASM kernel walks rows of C contiguous float32 logits; K-dim inputs (inner > 1) and float64 stay on JS.
  if (inner === 1 && x.data instanceof Float32Array && (values === null || values instanceof Float32Array)) {
    const k = wasmKernels();
    if (k !== null) {
      // In a pass with classification metrics on these logits: their per-row numbers from this read.
      const stats = classes > 0 ? classRowStatsWanted(x.data, idx, stride, classes, outer, ignore) : null;
      if (stats !== null) {
        k.crossEntropyIndexWithStats(
          x.data,
          outer,
          classes,
          idx,
          stride,
          w,
          wSum,
          ignore,
          eps,
          values,
          acc,
          stats,
        );
        offerClassRowStats(x.data, idx, stride, classes, stats);
      } else k.crossEntropyIndex(x.data, outer, classes, 1, idx, stride, w, wSum, ignore, eps, values, acc);
      return { layout, dtype, values };
    }
  }
  crossEntropyIndexKernel(x.data, outer, classes, inner, idx, stride, w, wSum, ignore, eps, values, acc);
  return { layout, dtype, values };
}

/**
 * The mergeable state of {@link crossEntropy} over these rows, added into `into` when given: Σ loss,
 * and the `'mean'` denominator (Σ w[target] over non-ignored samples for class indices, the sample
 * count for probabilities), so finalizing merged batches gives the one-shot value.
 *
 * @example
 * const state = createState('crossEntropy');
 * for (const { logits, labels } of batches) crossEntropyPartial(logits, labels, { ignoreIndex: -1 }, state);
 * finalize(state, 'mean');
 */
export const crossEntropyPartial: BinaryLossPartial<CrossEntropyOptions> = (
  input,
  target,
  options = {},
  into,
) => {
  checkOptionKeys(NAME, options, crossEntropyOptionKeys, 'partial');
  return accumulate(input, target, options, into);
};

/** The partial form without its option check, for the one-shot form (whose `reduction` it ignores). */
function accumulate(
  input: TensorInput,
  target: TensorInput,
  options: CrossEntropyOptions,
  into: LossState | undefined,
): LossState {
  const { layout, dtype } = run(input, target, options, false);
  return addToState(partialState(NAME, dtype, into), acc[0]!, acc[1]!, layout.rows);
}

function ce(
  input: TensorInput,
  target: TensorInput,
  options: CrossEntropyOptions = {},
): Tensor<FloatArray> | number {
  checkOptionKeys(NAME, options, crossEntropyOptionKeys);
  const reduction = checkReduction(NAME, options.reduction);
  if (reduction !== 'none') return finalize(accumulate(input, target, options, undefined), reduction);
  const { layout, values } = run(input, target, options, true);
  return { data: values!, shape: layout.sampleShape };
}

/**
 * Cross-entropy of logits, as `F.cross_entropy`: `log_softmax` over the class dimension, then NLL
 * of class indices (target `[N]`, `[N, d1…dK]`, or 0-d for an unbatched `[C]` input) or of class
 * probabilities (a float target of input's shape), with optional class weights, `ignoreIndex` and
 * label smoothing.
 *
 * @example
 * const logits = tensor(new Float32Array([2, 0.5, -1, 0.1, 0.2, 3]), [2, 3]);
 * const labels = new Int32Array([0, 2]);
 * crossEntropy(logits, labels); // ≈ 0.1754564 (a number, rounded to float32)
 * crossEntropy(logits, labels, { weight: [1, 1, 2], labelSmoothing: 0.1 });
 * crossEntropy(logits, labels, { reduction: 'none' }).data; // Float32Array of 2 losses
 */
export const crossEntropy = ce as BinaryLoss<CrossEntropyOptions>;

/** crossEntropy in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const crossEntropyDescriptor = defineLoss<CrossEntropyOptions>()({
  name: 'crossEntropy',
  cliName: 'cross-entropy',
  torch: { module: 'CrossEntropyLoss', functional: 'cross_entropy' },
  summary: 'logits vs class indices',
  roles: [
    { name: 'input', shape: '(N, C), (C) or (N, C, d1, …) logits', dtype: 'float' },
    {
      name: 'target',
      shape: "class indices (N), () or (N, d1, …); or class probabilities of the input's shape",
      dtype: 'either',
    },
  ],
  options: OPTIONS,
  loss: crossEntropy,
  partial: crossEntropyPartial,
});
