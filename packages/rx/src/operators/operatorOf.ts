import {
  type LossDescriptor,
  type LossDescriptorOf,
  type LossName,
  lossDescriptor,
  type TensorInput,
  type TypedLossDescriptor,
} from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { descriptorSpec } from '../specs/descriptorSpec.js';
import { type ColumnOptions, lossOperator } from './lossOperator.js';
import type { StreamOptions } from './streamOptions.js';

/**
 * The options of the operator of the registry loss `N`, from its descriptor: the core's options
 * (but `reduction`, chosen downstream), its roles as column options, and the stream options.
 */
export type OperatorOptionsOf<N extends LossName> =
  LossDescriptorOf<N> extends TypedLossDescriptor<infer O, infer R>
    ? Omit<O, 'reduction'> & ColumnOptions<R> & StreamOptions
    : never;

/** A loss operator factory: options (for some losses a weight alone) in, an RxJS operator out. */
export type LossOperatorFactory<A> = (options?: A) => OperatorFunction<RecordBatch, LossChunk>;

/** The option whose value alone an operator of this loss also takes (class weights: `crossEntropy([1, 2])`). */
function shorthandKey(d: LossDescriptor): string | undefined {
  return Object.keys(d.options).find((k) => d.options[k]?.shorthand === true);
}

/** Arrays, typed arrays and tensors are a shorthand option's value; anything else is an options object. */
function isTensorInput(arg: unknown): boolean {
  return (
    Array.isArray(arg) ||
    ArrayBuffer.isView(arg) ||
    (typeof arg === 'object' && arg !== null && 'data' in arg && 'shape' in arg)
  );
}

/**
 * The `@lossflow/rx` operator of a loss of the registry, by name (typed from its descriptor) or by
 * descriptor: what every loss operator of this package is, and how tools pick one by name.
 *
 * @throws {Error} when `name` is not a loss of the registry.
 * @example
 * import { operatorOf, reduce } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * const mse = operatorOf('mseLoss');
 * fromFile('preds.arrow').pipe(mse({ input: 'pred', target: 'y' }), reduce('mean'));
 */
export function operatorOf<N extends LossName>(name: N): LossOperatorFactory<OperatorOptionsOf<N>>;
export function operatorOf(
  loss: string | LossDescriptor,
): LossOperatorFactory<Readonly<Record<string, unknown>> | TensorInput>;
export function operatorOf(
  loss: string | LossDescriptor,
): LossOperatorFactory<Readonly<Record<string, unknown>> | TensorInput> {
  const d = typeof loss === 'string' ? lossDescriptor(loss) : loss;
  if (d === undefined) throw new Error(`'${String(loss)}' is not a loss of the @lossflow/core registry`);
  const spec = descriptorSpec<object>(d);
  const shorthand = shorthandKey(d);
  return (options = {}) =>
    lossOperator(
      spec,
      (shorthand !== undefined && isTensorInput(options)
        ? { [shorthand]: options }
        : options) as StreamOptions,
    );
}
