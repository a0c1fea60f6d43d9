import { readSync } from 'node:fs';
import type { PositionalFile } from './scanIpcBlocks.js';

/**
 * A descriptor read synchronously, for the message headers and list offsets a scan reads (a few
 * KB each, from the page cache in microseconds): through the promise API every batch header cost
 * a round trip through libuv's thread pool (a 3.4 GB log of 977 batches took 80–140 ms to plan
 * that way), which left the thread, and the workers waiting for their next job, idle between
 * batches.
 *
 * @example
 * const scan = await scanIpcStream(syncPositionalReads(handle.fd), size, path, false);
 */
export function syncPositionalReads(fd: number): PositionalFile {
  return {
    read: (buffer, offset, length, position) =>
      Promise.resolve({ bytesRead: readSync(fd, buffer, offset, length, position) }),
  };
}
