import { parquetMetadata } from 'hyparquet/src/metadata.js';
import type { FileMetaData } from 'hyparquet/src/types.js';
import type { ReadAt } from '../ReadAt.js';

/**
 * The footer this thread parsed last, by its bytes: a thread that reads a file's footer twice (the
 * CLI's schema probe, then the pool's reading thread, which computes jobs too) parses it once.
 * Keyed by the bytes themselves, not the file's name or identity, so a file rewritten between two
 * reads can never be given the other file's footer.
 */
let last: { readonly footer: Uint8Array; readonly metadata: FileMetaData } | undefined;

/**
 * The footer of the Parquet file of `size` bytes behind `readAt`, parsed by hyparquet's metadata
 * parser; `undefined` when it does not parse. A footer of a few hundred row groups takes tens of
 * ms to parse (objects and BigInts for every field of every chunk, and the garbage collections
 * they bring), so a footer byte for byte the one this thread parsed last is not parsed again: the
 * same (read-only) metadata is returned.
 *
 * @example
 * const metadata = readFooter(readAtFd(fd), size);
 */
export function readFooter(readAt: ReadAt, size: number): FileMetaData | undefined {
  try {
    if (size < 12) return undefined;
    const tail = new Uint8Array(8);
    if (readAt(tail, size - 8) !== 8) return undefined;
    const length = new DataView(tail.buffer).getUint32(0, true);
    if (length + 12 > size) return undefined;
    const footer = new Uint8Array(length + 8);
    if (readAt(footer, size - 8 - length) !== footer.length) return undefined;
    if (last !== undefined && sameBytes(last.footer, footer)) return last.metadata;
    const metadata = parquetMetadata(footer);
    last = { footer, metadata };
    return metadata;
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  // Word by word where both are 4-byte aligned (they are: each is a buffer of its own).
  const words = a.length >>> 2;
  const wa = new Int32Array(a.buffer, a.byteOffset, words);
  const wb = new Int32Array(b.buffer, b.byteOffset, words);
  for (let i = 0; i < words; i++) if (wa[i] !== wb[i]) return false;
  for (let i = words << 2; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
