/**
 * A buffer of `n` bytes for a read to fill, not zeroed first where the runtime allows it (Node's
 * `Buffer`): zeroing a fresh buffer costs as much as the read itself. Only the bytes a read filled
 * are ever returned. Outside Node (a browser reading an Arrow IPC file from a `Blob`) there is no
 * `Buffer`, and a plain (zeroed) `Uint8Array` is the buffer.
 *
 * @example
 * const body = uninitialized(bodyLength);
 */
export function uninitialized(n: number): Uint8Array {
  const node = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array } }).Buffer;
  if (node === undefined) return new Uint8Array(n);
  const b = node.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}
