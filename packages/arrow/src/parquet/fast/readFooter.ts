import { parquetMetadata } from 'hyparquet/src/metadata.js';
import type { FileMetaData } from 'hyparquet/src/types.js';
import type { ReadAt } from '../ReadAt.js';

/**
 * The footer of the Parquet file of `size` bytes behind `readAt`, parsed by hyparquet's metadata
 * parser; `undefined` when it does not parse. Parsed once a thread where it can be: a footer of a
 * few hundred row groups takes tens of ms (objects and BigInts for every field of every chunk).
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
    return parquetMetadata(footer);
  } catch {
    return undefined;
  }
}
