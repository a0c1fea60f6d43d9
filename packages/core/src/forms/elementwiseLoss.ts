import { checkOptionKeys } from '../descriptor/optionKeys.js';
import { weightedSum } from '../kernels/weightedSum.js';
import { LossError } from '../LossError.js';
import { addToState, finalize, type LossState } from '../state/LossState.js';
import { partialState } from '../state/partialState.js';
import { checkReduction, type Reduction } from '../state/reduction.js';
import {
  allocFloat,
  type ElementwiseOperands,
  elementwiseOperands,
  floatTensor,
  leadingRows,
  showShape,
} from '../tensor/operands.js';
import { type FloatArray, numel, type Tensor, type TensorInput } from '../tensor/tensor.js';
import { type Float32ElementwiseKernels, type WasmKernels, wasmKernels } from '../wasm/wasmKernels.js';

/**
 * A loss of `(input, target, options)` as `torch.nn.functional` has it: `'none'` gives a tensor,
 * `'mean'`/`'sum'` (and `'batchmean'` where the loss has it) give a number.
 */
export interface BinaryLoss<O extends { reduction?: string }> {
  (input: TensorInput, target: TensorInput, options: O & { reduction: 'none' }): Tensor<FloatArray>;
  (
    input: TensorInput,
    target: TensorInput,
    options?: O & { reduction?: Exclude<O['reduction'], 'none'> },
  ): number;
  (input: TensorInput, target: TensorInput, options?: O): Tensor<FloatArray> | number;
}

/** The streaming form of a {@link BinaryLoss}: adds these rows into `into` (or a new state). */
export type BinaryLossPartial<O> = (
  input: TensorInput,
  target: TensorInput,
  options?: Omit<O, 'reduction'>,
  into?: LossState,
) => LossState;

/**
 * The two kernels of an elementwise loss: the float64 sum over `n` elements, and the per-element
 * values. `p` carries the loss's resolved parameters so kernels stay free, monomorphic functions.
 */
export interface ElementwiseKernels<P> {
  sum(x: FloatArray, y: FloatArray, n: number, p: P): number;
  none(x: FloatArray, y: FloatArray, out: FloatArray, p: P): void;
  /**
   * The loss's WebAssembly SIMD kernels, picked from the loaded set: used instead of `sum`/`none`
   * for all-float32 operands while the kernel backend allows WASM (`setKernelBackend`).
   */
  wasm?: (k: WasmKernels) => Float32ElementwiseKernels<P>;
}

/** Σ over `n` elements with the WASM kernels when the operands are float32 and WASM is on, else the JS ones. */
function kernelSum<P>(kernels: ElementwiseKernels<P>, x: FloatArray, y: FloatArray, n: number, p: P): number {
  if (kernels.wasm !== undefined && x instanceof Float32Array && y instanceof Float32Array) {
    const k = wasmKernels();
    if (k !== null) return kernels.wasm(k).sum(x, y, n, p);
  }
  return kernels.sum(x, y, n, p);
}

/** Per-element values, by the WASM kernels under the same conditions as {@link kernelSum}. */
function kernelNone<P>(
  kernels: ElementwiseKernels<P>,
  x: FloatArray,
  y: FloatArray,
  out: FloatArray,
  p: P,
): void {
  if (
    kernels.wasm !== undefined &&
    x instanceof Float32Array &&
    y instanceof Float32Array &&
    out instanceof Float32Array
  ) {
    const k = wasmKernels();
    if (k !== null) {
      kernels.wasm(k).none(x, y, out, p);
      return;
    }
  }
  kernels.none(x, y, out, p);
}

/** What makes one elementwise loss: its torch shape rule, kernels and parameter resolution. */
export interface ElementwiseLossSpec<O extends { reduction?: string }, P> {
  /** The function name, used in errors and states. */
  name: string;
  /** Every option key the loss takes (its `…OptionKeys`); any other key is an `INVALID_OPTION` error. */
  optionKeys: readonly string[];
  /** torch's shape rule for input/target (see {@link elementwiseOperands}). */
  rule: 'broadcast' | 'equal' | 'intoInput';
  kernels: ElementwiseKernels<P>;
  /** Validates the options and resolves them for the kernels; may use the prepared operands. */
  params(options: Omit<O, 'reduction'>, ops: ElementwiseOperands): P;
  /** Reductions beyond none/mean/sum (`'batchmean'`). */
  extraReductions?: readonly string[];
  /** torch 2.x's normalising elementwise `weight` (L1, MSE, Huber): `'mean'` = Σ w·l / Σ w. */
  weight?: (options: Omit<O, 'reduction'>) => TensorInput | undefined;
  /** The state's `rows` (the `'batchmean'` denominator); defaults to the broadcast shape's first dimension. */
  rows?: (ops: ElementwiseOperands) => number;
}

const scratch = new Float64Array(2);

/**
 * Builds a loss and its partial form from an {@link ElementwiseLossSpec}. The `'mean'`
 * denominator is the element count of the broadcast loss (Σ w with a normalising weight).
 */
export function defineElementwiseLoss<O extends { reduction?: string }, P>(
  spec: ElementwiseLossSpec<O, P>,
): { loss: BinaryLoss<O>; partial: BinaryLossPartial<O> } {
  const { name, kernels } = spec;
  // Without the option check: the one-shot form calls it with its own (checked) options.
  const accumulate: BinaryLossPartial<O> = (input, target, options = {} as Omit<O, 'reduction'>, into) => {
    const ops = elementwiseOperands(name, input, target, spec.rule);
    const p = spec.params(options, ops);
    const state = partialState(name, ops.dtype, into);
    const rows = spec.rows?.(ops) ?? leadingRows(ops.shape);
    const weight = spec.weight?.(options);
    if (weight === undefined)
      return addToState(state, kernelSum(kernels, ops.x, ops.y, ops.x.length, p), ops.x.length, rows);
    const w = elementWeight(name, ops, weight);
    const l = new Float64Array(ops.x.length);
    kernels.none(ops.x, ops.y, l, p);
    weightedSum(l, w, scratch);
    return addToState(state, scratch[0]!, scratch[1]!, rows);
  };
  const partial: BinaryLossPartial<O> = (input, target, options = {} as Omit<O, 'reduction'>, into) => {
    checkOptionKeys(name, options, spec.optionKeys, 'partial');
    return accumulate(input, target, options, into);
  };
  const loss = (
    input: TensorInput,
    target: TensorInput,
    options: O = {} as O,
  ): Tensor<FloatArray> | number => {
    checkOptionKeys(name, options, spec.optionKeys);
    const reduction = checkReduction<Reduction | 'batchmean'>(name, options.reduction, spec.extraReductions);
    if (reduction !== 'none') return finalize(accumulate(input, target, options), reduction);
    const ops = elementwiseOperands(name, input, target, spec.rule);
    const out = allocFloat(ops.dtype, numel(ops.shape));
    kernelNone(kernels, ops.x, ops.y, out, spec.params(options, ops));
    const weight = spec.weight?.(options);
    if (weight !== undefined) {
      const w = elementWeight(name, ops, weight);
      for (let i = 0; i < out.length; i++) out[i] = out[i]! * w[i]!;
    }
    return { data: out, shape: ops.shape };
  };
  return { loss: loss as BinaryLoss<O>, partial };
}

function elementWeight(loss: string, ops: ElementwiseOperands, weight: TensorInput): FloatArray {
  const w = floatTensor(loss, 'weight', weight, 'INVALID_OPTION');
  if (w.data.length !== ops.x.length) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `weight ${showShape(w.shape)} and input ${showShape(ops.shape)} must have the same size`,
      { loss, argument: 'weight', hint: 'Give one weight per element of input.' },
    );
  }
  return w.data;
}
