import { readSync } from 'node:fs';
import type { ReadAt } from './ReadAt.js';

/**
 * Positioned reads of the file open as `fd` (descriptors are process-wide, so a worker thread can
 * read the file its reading thread opened): the very file, never the path again, so a file renamed
 * over the path meanwhile is never read.
 *
 * @example
 * const file = await openParquetFile(readAtFd(fd), size);
 */
export function readAtFd(fd: number): ReadAt {
  return (target, position) => {
    let done = 0;
    while (done < target.length) {
      const n = readSync(fd, target, done, target.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  };
}
