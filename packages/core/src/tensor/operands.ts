import { LossError } from '../LossError.js';
import type { FloatDType } from '../state/LossState.js';
import {
  checkShape,
  type FloatArray,
  type IntArray,
  isFloatData,
  numbersTensor,
  numel,
  showValue,
  type Tensor,
  type TensorData,
  type TensorInput,
  tensor,
} from './tensor.js';

/**
 * Any tensor input as a {@link Tensor}: typed arrays become 1-D, numbers become `Float64Array`, and a
 * `{ data, shape }` object is checked (`data.length` must equal the product of `shape`), so a
 * mislabelled tensor is an `INVALID_SHAPE` error naming `loss` and `argument`, never a wrong number.
 * A value that is no tensor at all (a string, numbers with a hole) is `notATensor`: `INVALID_DTYPE`
 * for a tensor argument, `INVALID_OPTION` for an option's value (a weight).
 *
 * @example
 * toTensor([[1, 2], [3, 4]]).shape; // [2, 2]
 */
export function toTensor(
  x: TensorInput,
  loss = 'tensor',
  argument?: string,
  notATensor: 'INVALID_DTYPE' | 'INVALID_OPTION' = 'INVALID_DTYPE',
): Tensor {
  if (ArrayBuffer.isView(x)) return tensor(x);
  const context = argument === undefined ? { loss } : { loss, argument };
  if (typeof x === 'number' || Array.isArray(x)) return numbersTensor(x, context, notATensor);
  const t = x as Partial<Tensor> | null;
  if (typeof t === 'object' && t !== null && ArrayBuffer.isView(t.data) && Array.isArray(t.shape)) {
    checkShape(t.shape, t.data.length, context);
    return t as Tensor;
  }
  throw new LossError(notATensor, `expected a tensor, a typed array or numbers, got ${showValue(x)}`, {
    ...context,
    hint: 'Pass { data, shape } with a typed array, a typed array, or (nested) number arrays.',
  });
}

function dtypeName(data: TensorData): string {
  return data.constructor.name.replace('Array', '');
}

/**
 * Coerces a float operand; integer storage is rejected as torch rejects integer loss inputs. A
 * value that is no tensor at all is `notATensor` (see {@link toTensor}).
 */
export function floatTensor(
  loss: string,
  argument: string,
  x: TensorInput,
  notATensor: 'INVALID_DTYPE' | 'INVALID_OPTION' = 'INVALID_DTYPE',
): Tensor<FloatArray> {
  const t = toTensor(x, loss, argument, notATensor);
  if (!isFloatData(t.data)) {
    throw new LossError('INVALID_DTYPE', `expected floating-point values, got ${dtypeName(t.data)}`, {
      loss,
      argument,
      hint: 'Pass a Float32Array or Float64Array (or plain numbers).',
    });
  }
  return t as Tensor<FloatArray>;
}

/** Coerces an integer operand (class indices, labels); plain numbers must be whole. */
export function intTensor(loss: string, argument: string, x: TensorInput): Tensor<IntArray> {
  if (typeof x === 'number' || Array.isArray(x)) {
    const t = tensor(x as number[]);
    const out = new Int32Array(t.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = t.data[i]!;
      if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
        throw new LossError('INVALID_DTYPE', `expected integer class indices, got ${v} at index ${i}`, {
          loss,
          argument,
        });
      }
      out[i] = v;
    }
    return { data: out, shape: t.shape };
  }
  const t = toTensor(x, loss, argument);
  if (isFloatData(t.data)) {
    throw new LossError('INVALID_DTYPE', `expected integer class indices, got ${dtypeName(t.data)}`, {
      loss,
      argument,
      hint: 'Pass an Int32Array or BigInt64Array (or whole numbers).',
    });
  }
  return t as Tensor<IntArray>;
}

/** Result float type: float32 only when every float operand is float32 (torch's promotion). */
export function resultDType(...data: readonly (FloatArray | undefined)[]): FloatDType {
  for (const d of data) if (d instanceof Float64Array) return 'float64';
  return 'float32';
}

/** A new zeroed float array of `dtype`. */
export function allocFloat(dtype: FloatDType, n: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** Shape as torch prints it: `[2, 3]`. */
export function showShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Broadcasts shapes right-aligned as torch does, or throws torch's "size of tensor a" mismatch. */
export function broadcastShapes(
  loss: string,
  a: readonly number[],
  b: readonly number[],
  names: readonly [string, string],
): number[] {
  if (sameShape(a, b)) return [...a];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new LossError(
        'SHAPE_MISMATCH',
        `the size of ${names[0]} (${da}) must match the size of ${names[1]} (${db}) at non-singleton dimension ${i}: shapes ${showShape(a)} and ${showShape(b)} do not broadcast`,
        { loss, argument: names[1], hint: 'Reshape the tensors so their shapes are equal or broadcastable.' },
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * `t`'s values laid out in `shape` (which `t.shape` broadcasts to). The same array when the shapes
 * already agree; otherwise one materialised copy of the same type (torch's `expand` + contiguous).
 */
export function expandTo<D extends FloatArray>(t: Tensor<D>, shape: readonly number[]): D {
  if (sameShape(t.shape, shape)) return t.data;
  const n = numel(shape);
  const out = new (t.data.constructor as new (n: number) => D)(n);
  const rank = shape.length;
  const offset = rank - t.shape.length;
  // Stride of each output dimension in the source, 0 where the source is broadcast.
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    const d = t.shape[i]!;
    strides[i + offset] = d === 1 ? 0 : stride;
    stride *= d;
  }
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    out[k] = t.data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= strides[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Two float operands of an elementwise loss, laid out flat in their common shape. */
export interface ElementwiseOperands {
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly shape: readonly number[];
  /** input's own shape before broadcasting (`'batchmean'` divides by its first dimension). */
  readonly inputShape: readonly number[];
  readonly dtype: FloatDType;
}

/**
 * Prepares `input`/`target` of an elementwise loss. `rule` is torch's per-loss shape rule:
 * `'broadcast'` (L1, MSE, Huber, …), `'equal'` (BCE, BCE-with-logits: sizes must match) or
 * `'intoInput'` (SoftMargin: target broadcasts into input's shape, never the other way).
 */
export function elementwiseOperands(
  loss: string,
  input: TensorInput,
  target: TensorInput,
  rule: 'broadcast' | 'equal' | 'intoInput',
): ElementwiseOperands {
  const x = floatTensor(loss, 'input', input);
  const y = floatTensor(loss, 'target', target);
  if (rule === 'equal' && !sameShape(x.shape, y.shape)) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `target size ${showShape(y.shape)} must be the same as input size ${showShape(x.shape)}`,
      { loss, argument: 'target', hint: 'Give target exactly the shape of input.' },
    );
  }
  const shape = broadcastShapes(loss, x.shape, y.shape, ['input', 'target']);
  if (rule === 'intoInput' && !sameShape(shape, x.shape)) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `target ${showShape(y.shape)} broadcasts input ${showShape(x.shape)} to ${showShape(shape)}; the result must keep input's shape`,
      { loss, argument: 'target', hint: 'Give target a shape that broadcasts into input.' },
    );
  }
  return {
    x: expandTo(x, shape),
    y: expandTo(y, shape),
    shape,
    inputShape: x.shape,
    dtype: resultDType(x.data, y.data),
  };
}

/**
 * A float operand broadcast into a loss's shape, read without copying: element `i` of the broadcast
 * tensor is `data[Math.floor(i / inner) % period]`. Kernels walk it with two counters instead of
 * dividing. Covers torch's trailing-dimension weights — `(C)` against `(N, C)`, `(C, 1, 1)` against
 * `(N, C, H, W)`, `(N, 1)`, 0-d — without allocation; other layouts are materialised once.
 *
 * @example
 * // pos_weight [3, 1, 1] against [N, 3, 4, 4]: each weight covers 16 elements, repeating every 3.
 * broadcastView('binaryCrossEntropyWithLogits', 'posWeight', pw, [2, 3, 4, 4]); // { inner: 16, period: 3 }
 */
export interface BroadcastView {
  readonly data: FloatArray;
  readonly inner: number;
  readonly period: number;
}

const ONE = new Float64Array([1]);

/** The view of a constant 1: the identity weight, so kernels need no "no weight" branch. */
export const UNIT_VIEW: BroadcastView = { data: ONE, inner: 1, period: 1 };

/**
 * Broadcasts `argument` (a weight-like tensor) into `shape`, which it may not enlarge, as torch's
 * `weight`/`pos_weight` do ("output with shape … doesn't match the broadcast shape …").
 *
 * @example
 * const { data, inner, period } = broadcastView('binaryCrossEntropy', 'weight', [1, 3], [4, 2]);
 */
export function broadcastView(
  loss: string,
  argument: string,
  x: TensorInput,
  shape: readonly number[],
): BroadcastView {
  // Only options (weight, posWeight) are broadcast views: a value that is no tensor is INVALID_OPTION.
  const t = floatTensor(loss, argument, x, 'INVALID_OPTION');
  const out = broadcastShapes(loss, shape, t.shape, ['input', argument]);
  if (!sameShape(out, shape)) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `${argument} ${showShape(t.shape)} broadcasts the loss of shape ${showShape(shape)} to ${showShape(out)}; it may not enlarge it`,
      {
        loss,
        argument,
        hint: `Give ${argument} a shape that broadcasts into ${showShape(shape)} (match trailing dimensions, e.g. [C, 1, 1] for NCHW).`,
      },
    );
  }
  const offset = shape.length - t.shape.length;
  let first = -1;
  let last = -1;
  for (let i = 0; i < t.shape.length; i++) {
    if (t.shape[i] !== 1) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return { data: t.data, inner: 1, period: 1 };
  // A size-1 dimension between broadcast dimensions breaks the single (inner, period) pattern.
  for (let i = first; i <= last; i++) {
    if (t.shape[i] !== shape[i + offset]) return { data: expandTo(t, shape), inner: 1, period: numel(shape) };
  }
  return {
    data: t.data,
    inner: numel(shape.slice(last + offset + 1)),
    period: numel(t.shape.slice(first, last + 1)),
  };
}

/** Size of dimension 0 as `'batchmean'` and per-sample counts see it: 1 for a 0-d tensor. */
export function leadingRows(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[0]!;
}

/**
 * Class indices as an `Int32Array` view plus a stride: `BigInt64Array` is read through its low
 * 32-bit words (stride 2), after checking every high word is the sign extension, so hot loops
 * never create BigInts. Narrow integer arrays are widened once.
 */
export interface IndexView {
  readonly idx: Int32Array;
  readonly stride: 1 | 2;
}

/**
 * Builds an {@link IndexView}; values outside int32 are reported as out of range, at row
 * `⌊i / rowLength⌋` (the number of indices per row: 1, or d1⋯dK for K-dim targets).
 */
export function indexView(loss: string, argument: string, data: IntArray, rowLength = 1): IndexView {
  if (data instanceof Int32Array) return { idx: data, stride: 1 };
  if (data instanceof BigInt64Array) {
    const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
    for (let i = 0; i < data.length; i++) {
      if (words[2 * i + 1] !== words[2 * i]! >> 31) {
        throw new LossError('TARGET_OUT_OF_RANGE', `target ${data[i]} is out of bounds`, {
          loss,
          argument,
          row: Math.floor(i / rowLength),
          hint: 'Class indices must lie in [0, C) or equal ignoreIndex.',
        });
      }
    }
    return { idx: words, stride: 2 };
  }
  const idx = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v > 0x7fffffff) {
      throw new LossError('TARGET_OUT_OF_RANGE', `target ${v} is out of bounds`, {
        loss,
        argument,
        row: Math.floor(i / rowLength),
      });
    }
    idx[i] = v;
  }
  return { idx, stride: 1 };
}
