/**
 * A buffer of `n` bytes for a read to fill, not zeroed first: zeroing a fresh buffer costs as much
 * as the read itself. Only the bytes a read filled are ever returned. Node only (`Buffer`).
 *
 * @example
 * const body = uninitialized(bodyLength);
 */
export function uninitialized(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}
