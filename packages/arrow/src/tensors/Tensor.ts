/**
 * Storage of a column tensor: the float types losses compute in and the integer types of class
 * indices and lengths (Int64 columns as `BigInt64Array`). The same union as `@lossflow/core`'s
 * `TensorData`, so a tensor read here is a core tensor as it is.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array;

/**
 * A row-major, dense tensor over a column's buffer: `data.length` is the product of `shape`.
 * Structurally `@lossflow/core`'s `Tensor`, which this package does not depend on: pass it to any
 * core loss directly.
 */
export interface Tensor<D extends TensorData = TensorData> {
  readonly data: D;
  readonly shape: readonly number[];
}
