import { allocFloat, broadcastShapes, expandTo, floatTensor, resultDType } from './operands.js';
import { type FloatArray, numel, type TensorInput } from './tensor.js';

/** Two operands of a distance over the last dimension, broadcast to one shape, and its output. */
export interface RowDistanceOperands {
  /** x1 and x2 expanded to their broadcast shape, row after row. */
  readonly x1: FloatArray;
  readonly x2: FloatArray;
  /** Rows of the result (the broadcast shape without the last dimension). */
  readonly rows: number;
  /** Length of the last dimension (1 for 0-d operands). */
  readonly dim: number;
  /** One distance per row, of the operands' float type, for the kernel to fill. */
  readonly out: FloatArray;
  readonly outShape: readonly number[];
}

/**
 * Validates and broadcasts the operands of a distance between rows (`pairwiseDistance`,
 * `cosineDistance`): the result has their broadcast shape without the last dimension.
 *
 * @throws {LossError} when an operand is not a float tensor or the shapes do not broadcast
 */
export function rowDistanceOperands(name: string, x1: TensorInput, x2: TensorInput): RowDistanceOperands {
  const a = floatTensor(name, 'x1', x1);
  const b = floatTensor(name, 'x2', x2);
  const shape = broadcastShapes(name, a.shape, b.shape, ['x1', 'x2']);
  const outShape = shape.slice(0, -1);
  const rows = numel(outShape);
  return {
    x1: expandTo(a, shape),
    x2: expandTo(b, shape),
    rows,
    dim: shape.length === 0 ? 1 : shape[shape.length - 1]!,
    out: allocFloat(resultDType(a.data, b.data), rows),
    outShape,
  };
}
