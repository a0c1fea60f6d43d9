import { LossError } from './LossError.js';
import { floatTensor, type IndexView, indexView, intTensor, showShape } from './operands.js';
import { type FloatArray, numel, type Tensor, type TensorInput } from './tensor.js';

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

/**
 * Class-index targets as an {@link IndexView}, after checking their shape is input's without the
 * class dimension and every index lies in `[0, C)` or equals `ignoreIndex` (torch raises for any
 * other, whatever the reduction).
 *
 * @example
 * const { idx, stride } = classTargets('crossEntropy', labels, layout, input.shape, -100);
 */
export function classTargets(
  loss: string,
  target: TensorInput,
  layout: ClassLayout,
  inputShape: readonly number[],
  ignoreIndex: number,
): IndexView {
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
  const view = indexView(loss, 'target', t.data, inputShape.length > 1 ? layout.inner : 1);
  const { idx, stride } = view;
  const n = t.data.length;
  const classes = layout.classes;
  for (let p = 0; p < n; p++) {
    const v = idx[p * stride]!;
    if (v !== ignoreIndex && (v < 0 || v >= classes)) {
      throw new LossError('TARGET_OUT_OF_RANGE', `target ${v} is out of bounds for ${classes} classes`, {
        loss,
        argument: 'target',
        ...(inputShape.length > 1 ? { row: Math.floor(p / layout.inner) } : {}),
        hint: `Class indices must lie in [0, ${classes}) or equal ignoreIndex (${ignoreIndex}).`,
      });
    }
  }
  return view;
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
  const w = floatTensor(loss, 'weight', weight);
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
 * `ignoreIndex` (default −100): any integer; targets equal to it are skipped.
 *
 * @example
 * ignoreIndexOption('nllLoss', undefined); // -100
 */
export function ignoreIndexOption(loss: string, value: unknown): number {
  if (value === undefined) return -100;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new LossError('INVALID_OPTION', `ignoreIndex must be an integer, got ${String(value)}`, {
      loss,
      argument: 'ignoreIndex',
      hint: 'Pass a whole number (default -100).',
    });
  }
  return value;
}
