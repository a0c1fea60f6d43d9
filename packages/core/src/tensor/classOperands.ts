import { LossError } from '../LossError.js';
import { floatTensor, type IndexView, indexView, intTensor, showShape } from './operands.js';
import { type FloatArray, type IntArray, numel, showValue, type Tensor, type TensorInput } from './tensor.js';

/**
 * How a class-dimension input (NLL, cross-entropy) is laid out: `outer` samples × `classes` × `inner`
 * positions, so logit `(n, c, k)` sits at `(n·classes + c)·inner + k`. `(C)` inputs are unbatched
 * (`outer = 1`), `(N, C)` have `inner = 1`, `(N, C, d1…dK)` have `inner = d1⋯dK`.
 */
export interface ClassLayout {
  readonly x: FloatArray;
  readonly outer: number;
  readonly classes: number;
  readonly inner: number;
  /** torch's per-sample (`'none'`) shape: input without its class dimension. */
  readonly sampleShape: readonly number[];
  /** Size of dimension 0 (1 for an unbatched input): the state's `rows`. */
  readonly rows: number;
}

/**
 * Validates `input` of a class-dimension loss (1-D or more; classes on dimension 1, or 0 when
 * unbatched) and describes its layout.
 *
 * @example
 * classLayout('nllLoss', tensor(new Float32Array(24), [2, 3, 4])); // outer 2, classes 3, inner 4
 */
export function classLayout(loss: string, input: Tensor<FloatArray>): ClassLayout {
  const s = input.shape;
  if (s.length === 0) {
    throw new LossError('INVALID_SHAPE', 'expected an input of 1 or more dimensions, got a 0-d input', {
      loss,
      argument: 'input',
      hint: 'Pass scores of shape [C], [N, C] or [N, C, d1, …, dK].',
    });
  }
  if (s.length === 1) return { x: input.data, outer: 1, classes: s[0]!, inner: 1, sampleShape: [], rows: 1 };
  const spatial = s.slice(2);
  return {
    x: input.data,
    outer: s[0]!,
    classes: s[1]!,
    inner: numel(spatial),
    sampleShape: [s[0]!, ...spatial],
    rows: s[0]!,
  };
}

/** Class-index targets as an {@link IndexView}, and the value the kernels skip as ignored. */
export interface ClassTargets extends IndexView {
  /** `ignoreIndex` when it fits int32; otherwise −1, which the targets' ignored entries were rewritten to. */
  readonly ignore: number;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

interface CheckedTargets {
  readonly data: IntArray;
  readonly classes: number;
  readonly rowLength: number;
  readonly ignoreIndex: number | bigint;
  readonly targets: ClassTargets;
}

// Within shareClassTargets: the targets checked last (at most SHARED_TARGETS).
let checked: CheckedTargets[] | null = null;
const SHARED_TARGETS = 8;

/**
 * Runs `fn` with the class-index targets it checks remembered: a loss and metrics of one pass
 * over the same target column (same memory, classes and ignoreIndex) then check and convert it
 * once. The targets must not change while `fn` runs.
 *
 * @example
 * shareClassTargets(() => [accuracyPartial(x, t), topKAccuracyPartial(x, t, { k: 5 })]);
 */
export function shareClassTargets<T>(fn: () => T): T {
  const outer = checked;
  checked = [];
  try {
    return fn();
  } finally {
    checked = outer;
  }
}

/**
 * Forgets the targets checked in the open {@link shareClassTargets} scope that view `buffer`: its
 * memory now holds other values (a caller gathering several groups' rows into one buffer).
 */
export function forgetCheckedTargets(buffer: ArrayBufferLike): void {
  if (checked !== null) checked = checked.filter((c) => c.data.buffer !== buffer);
}

function sameData(a: IntArray, b: IntArray): boolean {
  return (
    a.constructor === b.constructor &&
    a.buffer === b.buffer &&
    a.byteOffset === b.byteOffset &&
    a.byteLength === b.byteLength
  );
}

/**
 * Class-index targets as an {@link IndexView}, after checking their shape is input's without the
 * class dimension and every index lies in `[0, C)` or equals `ignoreIndex` (torch raises for any
 * other, whatever the reduction). An `ignoreIndex` outside int32 (torch's is an int64) is
 * compared exactly with every target, int64 ones included, and the matching targets are
 * rewritten to −1 in a copy (never a valid class, so the kernels skip them); one that no target
 * equals simply ignores nothing, as in torch.
 *
 * @example
 * const { idx, stride, ignore } = classTargets('crossEntropy', labels, layout, input.shape, -100);
 */
export function classTargets(
  loss: string,
  target: TensorInput,
  layout: ClassLayout,
  inputShape: readonly number[],
  ignoreIndex: number | bigint,
): ClassTargets {
  const t = intTensor(loss, 'target', target);
  const expected = layout.sampleShape;
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    const hint =
      inputShape.length === 1
        ? 'An unbatched input [C] takes one class index as a 0-d target (shape []).'
        : `Give target input's shape without dimension 1 (the classes): ${showShape(expected)}.`;
    throw new LossError(
      'SHAPE_MISMATCH',
      `expected target of shape ${showShape(expected)} for input ${showShape(inputShape)}, got ${showShape(t.shape)}`,
      { loss, argument: 'target', hint },
    );
  }
  const rowLength = inputShape.length > 1 ? layout.inner : 1;
  const classes = layout.classes;
  if (checked !== null) {
    for (const c of checked) {
      if (
        c.classes === classes &&
        c.rowLength === rowLength &&
        c.ignoreIndex === ignoreIndex &&
        sameData(c.data, t.data)
      )
        return c.targets;
    }
    const targets = checkTargets(loss, t.data, rowLength, classes, inputShape, ignoreIndex);
    // Only the latest few are kept: a pass shares one or two target columns among its loss and
    // metrics, but a `by` key with many values checks each group's slice once, and remembering
    // every slice made each check scan all the earlier ones (quadratic in the groups, and memory).
    if (checked.length === SHARED_TARGETS) checked.shift();
    checked.push({ data: t.data, classes, rowLength, ignoreIndex, targets });
    return targets;
  }
  return checkTargets(loss, t.data, rowLength, classes, inputShape, ignoreIndex);
}

function checkTargets(
  loss: string,
  data: IntArray,
  rowLength: number,
  classes: number,
  inputShape: readonly number[],
  ignoreIndex: number | bigint,
): ClassTargets {
  const outOfRange = (p: number, v: number | bigint): LossError =>
    new LossError('TARGET_OUT_OF_RANGE', `target ${v} is out of bounds for ${classes} classes`, {
      loss,
      argument: 'target',
      ...(inputShape.length > 1 ? { row: Math.floor(p / rowLength) } : {}),
      hint: `Class indices must lie in [0, ${classes}) or equal ignoreIndex (${ignoreIndex}).`,
    });
  if (typeof ignoreIndex === 'bigint' || ignoreIndex < INT32_MIN || ignoreIndex > INT32_MAX) {
    return { idx: wideIgnored(data, ignoreIndex, classes, outOfRange), stride: 1, ignore: -1 };
  }
  const { idx, stride } = indexView(loss, 'target', data, rowLength);
  const bad = firstOutOfRange(idx, stride, data.length, ignoreIndex, classes);
  if (bad >= 0) throw outOfRange(bad, idx[bad * stride]!);
  return { idx, stride, ignore: ignoreIndex };
}

/**
 * The first position whose target is neither `ignore` nor in `[0, classes)`, or −1. A loop of its
 * own, ending in nothing but a number: over a big batch V8 compiles the loop on the stack (OSR)
 * during the first call, and code after the loop that had not run yet (building the result
 * object) deoptimized it on every later call when the loop was inside `checkTargets`.
 */
function firstOutOfRange(
  idx: Int32Array,
  stride: number,
  n: number,
  ignore: number,
  classes: number,
): number {
  for (let p = 0; p < n; p++) {
    const v = idx[p * stride]!;
    if (v !== ignore && (v < 0 || v >= classes)) return p;
  }
  return -1;
}

/**
 * Targets as int32 with those equal to an `ignoreIndex` outside int32 rewritten to −1, checking the
 * others lie in `[0, classes)`. int64 targets are compared through their 32-bit words: no BigInt
 * per element.
 */
function wideIgnored(
  data: IntArray,
  ignoreIndex: number | bigint,
  classes: number,
  outOfRange: (p: number, v: number | bigint) => LossError,
): Int32Array {
  const n = data.length;
  const out = new Int32Array(n);
  const big = BigInt(ignoreIndex);
  if (data instanceof BigInt64Array) {
    const words = new Int32Array(data.buffer, data.byteOffset, n * 2);
    const lo = Number(BigInt.asIntN(32, big));
    const hi = Number(BigInt.asIntN(32, big >> 32n));
    for (let p = 0; p < n; p++) {
      const l = words[2 * p]!;
      const h = words[2 * p + 1]!;
      if (l === lo && h === hi) out[p] = -1;
      else if (h !== l >> 31 || l < 0 || l >= classes) throw outOfRange(p, data[p]!);
      else out[p] = l;
    }
    return out;
  }
  // Narrower integer arrays hold at most uint32 values, which a number represents exactly.
  const wide = Number(big);
  for (let p = 0; p < n; p++) {
    const v = data[p] as number;
    if (v === wide) out[p] = -1;
    else if (v < 0 || v >= classes) throw outOfRange(p, v);
    else out[p] = v;
  }
  return out;
}

/**
 * Per-class weights as float values (a tensor or number array of exactly `classes` elements), or
 * `null` when absent.
 *
 * @example
 * classWeight('nllLoss', [1, 2, 0.5], 3); // Float64Array [1, 2, 0.5]
 */
export function classWeight(
  loss: string,
  weight: TensorInput | undefined,
  classes: number,
): FloatArray | null {
  if (weight === undefined) return null;
  const w = floatTensor(loss, 'weight', weight, 'INVALID_OPTION');
  if (w.shape.length !== 1 || w.shape[0] !== classes) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `weight should be defined for all ${classes} classes or none, got a weight of shape ${showShape(w.shape)}`,
      { loss, argument: 'weight', hint: `Pass one weight per class: shape [${classes}].` },
    );
  }
  return w.data;
}

/**
 * `ignoreIndex` (default −100): any integer, as torch's int64 `ignore_index`; targets equal to it
 * are skipped. A number must be a safe integer; a bigint may be any int64 (compared exactly with
 * int64 targets) and comes back as a number when it is a safe integer.
 *
 * @example
 * ignoreIndexOption('nllLoss', undefined); // -100
 * ignoreIndexOption('nllLoss', 2n ** 40n); // 1099511627776
 */
export function ignoreIndexOption(loss: string, value: unknown): number | bigint {
  if (value === undefined) return -100;
  if (typeof value === 'bigint' && value === BigInt.asIntN(64, value)) {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new LossError('INVALID_OPTION', `ignoreIndex must be an integer, got ${showValue(value)}`, {
      loss,
      argument: 'ignoreIndex',
      hint:
        typeof value === 'number' && Number.isInteger(value)
          ? `${value} is beyond 2^53, where numbers lose whole values: pass it as a bigint (e.g. ${BigInt(value)}n).`
          : 'Pass a whole number (default -100), or a bigint for any int64.',
    });
  }
  return value;
}
