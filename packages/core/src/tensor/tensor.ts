import { LossError, type LossErrorContext } from '../LossError.js';

/** Floating-point storage: the dtypes torch computes losses in on CPU. */
export type FloatArray = Float32Array | Float64Array;

/** Integer storage accepted for class indices and lengths. Int64 comes from Arrow as `BigInt64Array`. */
export type IntArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array;

/** Any storage a tensor may have. */
export type TensorData = FloatArray | IntArray;

/** A row-major, dense tensor: `data.length` equals the product of `shape`. A 0-d tensor has `shape: []`. */
export interface Tensor<D extends TensorData = TensorData> {
  readonly data: D;
  readonly shape: readonly number[];
}

/** Nested number arrays, as written in a test or a notebook: `[[1, 2], [3, 4]]`. */
export type NestedNumbers = number | readonly NestedNumbers[];

/**
 * What loss functions accept wherever torch accepts a tensor: a {@link Tensor}, a typed array (1-D),
 * or (nested) number arrays. Number arrays become `Float64Array`, or `Int32Array` where class indices
 * are expected.
 */
export type TensorInput = Tensor | TensorData | NestedNumbers;

/** Number of elements of a shape (1 for a 0-d shape). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Makes a tensor from a typed array or (nested) numbers, validating `data.length` against `shape`.
 *
 * @example
 * const logits = tensor(new Float32Array([2, 0.5, -1, 0.1, 0.2, 3]), [2, 3]);
 * const t = tensor([[1, 2], [3, 4]]); // Float64Array, shape [2, 2]
 */
export function tensor<D extends TensorData>(data: D, shape?: readonly number[]): Tensor<D>;
export function tensor(data: NestedNumbers, shape?: readonly number[]): Tensor<Float64Array>;
export function tensor(data: TensorData | NestedNumbers, shape?: readonly number[]): Tensor {
  if (ArrayBuffer.isView(data)) {
    const s = shape ?? [data.length];
    checkShape(s, data.length);
    return { data, shape: s };
  }
  const inferred = inferShape(data);
  const flat = new Float64Array(numel(inferred));
  if (flatten(data, flat, 0) !== flat.length) {
    throw new LossError('INVALID_SHAPE', 'nested arrays are ragged (rows of different lengths)', {
      loss: 'tensor',
      hint: 'Give every row at each depth the same length.',
    });
  }
  const s = shape ?? inferred;
  checkShape(s, flat.length);
  return { data: flat, shape: s };
}

/**
 * Throws `INVALID_SHAPE` unless `shape` has whole, non-negative dimensions whose product is
 * `length`; `context` names the loss and argument in the message.
 */
export function checkShape(
  shape: readonly number[],
  length: number,
  context: LossErrorContext = { loss: 'tensor' },
): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new LossError(
        'INVALID_SHAPE',
        `shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`,
        { ...context, hint: 'Give each dimension as a whole number ≥ 0.' },
      );
    }
  }
  if (numel(shape) !== length) {
    throw new LossError(
      'INVALID_SHAPE',
      `data has ${length} elements but shape [${shape.join(', ')}] needs ${numel(shape)}`,
      { ...context, hint: 'Pass a shape whose product equals the data length.' },
    );
  }
}

function inferShape(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let cur: NestedNumbers = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as NestedNumbers;
  }
  return shape;
}

function flatten(data: NestedNumbers, out: Float64Array, at: number): number {
  if (typeof data === 'number') {
    out[at] = data;
    return at + 1;
  }
  for (const item of data) at = flatten(item, out, at);
  return at;
}

/** True for `Float32Array` / `Float64Array` storage. */
export function isFloatData(data: TensorData): data is FloatArray {
  return data instanceof Float32Array || data instanceof Float64Array;
}
