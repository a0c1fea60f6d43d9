import { LossError } from '../LossError.js';
import { floatTensor, showShape } from '../tensor/operands.js';
import type { FloatArray, TensorInput } from '../tensor/tensor.js';

/** Predictions and targets of one shape, all elements one variable, checked for NaN. */
export interface RegressionOperands {
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly rows: number;
  /** Outputs per row: the product of the dimensions after the first for `(N, k, …)`, else 1. */
  readonly outputs: number;
}

/**
 * Reads regression `input` and `target` (float, the same shape; every element one observation)
 * and rejects a NaN in either, naming the row (`INVALID_VALUE`).
 *
 * @example
 * const { x, y } = regressionOperands('mae', predictions, targets);
 */
export function regressionOperands(
  metric: string,
  input: TensorInput,
  target: TensorInput,
): RegressionOperands {
  const xt = floatTensor(metric, 'input', input);
  const yt = floatTensor(metric, 'target', target);
  if (xt.shape.length !== yt.shape.length || xt.shape.some((d, i) => d !== yt.shape[i])) {
    throw new LossError(
      'SHAPE_MISMATCH',
      `input ${showShape(xt.shape)} and target ${showShape(yt.shape)} must have the same shape`,
      { loss: metric, argument: 'target', hint: 'Pass one target per prediction.' },
    );
  }
  const x = xt.data;
  const y = yt.data;
  const rows = xt.shape.length === 0 ? 1 : xt.shape[0]!;
  const perRow = rows === 0 ? 1 : x.length / rows;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      throw new LossError('INVALID_VALUE', `${Number.isNaN(a) ? 'prediction' : 'target'} is NaN`, {
        loss: metric,
        argument: Number.isNaN(a) ? 'input' : 'target',
        row: Math.floor(i / perRow),
        hint: 'Drop or fix the rows holding NaN.',
      });
    }
  }
  const outputs = xt.shape.length < 2 ? 1 : xt.shape.slice(1).reduce((a, b) => a * b, 1);
  return { x, y, rows, outputs };
}
