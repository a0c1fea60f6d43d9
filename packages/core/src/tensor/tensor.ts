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
  const s = numbersTensor(data, { loss: 'tensor' }, 'INVALID_DTYPE');
  if (shape === undefined) return s;
  checkShape(shape, s.data.length);
  return { data: s.data, shape };
}

/**
 * (Nested) number arrays as a `Float64Array` tensor of their shape. An element that is neither a
 * number nor an array (a hole, `null`, a string) is a `code` error naming `context`'s loss and
 * argument (`INVALID_OPTION` for an option's value), ragged rows are `INVALID_SHAPE`.
 *
 * @example
 * numbersTensor([[1, 2], [3, 4]], { loss: 'mseLoss', argument: 'weight' }, 'INVALID_OPTION').shape; // [2, 2]
 */
export function numbersTensor(
  data: NestedNumbers,
  context: LossErrorContext,
  code: 'INVALID_DTYPE' | 'INVALID_OPTION',
): Tensor<Float64Array> {
  const inferred = inferShape(data);
  const flat = new Float64Array(numel(inferred));
  const written = flatten(data, flat, 0, (at, value, hole) => {
    const what = hole ? 'an empty slot (a hole in the array)' : showValue(value);
    throw new LossError(code, `expected numbers, got ${what} at flat index ${at}`, {
      ...context,
      hint: 'Give every element as a number: no holes, null, strings or other values.',
    });
  });
  if (written !== flat.length) {
    throw new LossError('INVALID_SHAPE', 'nested arrays are ragged (rows of different lengths)', {
      ...context,
      hint: 'Give every row at each depth the same length.',
    });
  }
  return { data: flat, shape: inferred };
}

/**
 * A value as an error message shows it: a string quoted (`'2'`, so it is not taken for the number
 * 2), a bigint with its `n`, an object by its constructor's name.
 *
 * @example
 * showValue('2'); // "'2'"
 */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor?.name ?? 'an object';
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

function flatten(
  data: unknown,
  out: Float64Array,
  at: number,
  notANumber: (at: number, value: unknown, hole: boolean) => never,
): number {
  if (typeof data === 'number') {
    out[at] = data;
    return at + 1;
  }
  if (!Array.isArray(data)) return notANumber(at, data, false);
  for (let i = 0; i < data.length; i++) {
    if (!(i in data)) return notANumber(at, undefined, true);
    at = flatten(data[i], out, at, notANumber);
  }
  return at;
}

/** True for `Float32Array` / `Float64Array` storage. */
export function isFloatData(data: TensorData): data is FloatArray {
  return data instanceof Float32Array || data instanceof Float64Array;
}
