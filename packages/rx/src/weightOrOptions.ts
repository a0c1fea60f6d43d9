import type { TensorInput } from '@lossflow/core';

/**
 * Lets class-weighted operators take the weight alone, `crossEntropy([1, 2, 0.5])`, as well as an
 * options object: arrays, typed arrays and tensors are weights.
 */
export function weightOrOptions<O extends object>(arg: O | TensorInput): O & { weight?: TensorInput } {
  const isWeight =
    Array.isArray(arg) ||
    ArrayBuffer.isView(arg) ||
    (typeof arg === 'object' && arg !== null && 'data' in arg && 'shape' in arg);
  return (isWeight ? { weight: arg } : arg) as O & { weight?: TensorInput };
}
