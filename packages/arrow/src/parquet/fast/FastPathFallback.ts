/**
 * Thrown inside the Parquet fast path when a column chunk turns out to need the general decoder
 * (a null in the levels, an encoding it does not walk): never an error for the caller, only the
 * signal to decode that column chunk with parquet-wasm instead.
 */
export class FastPathFallback extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FastPathFallback';
  }
}
