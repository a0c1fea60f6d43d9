import { statSync } from 'node:fs';

/**
 * Whether `path` is a regular file, which can be opened and read more than once. A FIFO, a
 * character device or `/dev/stdin` on a pipe can be read once only: a second reader finds it
 * empty (reported as a file "cut short"), so commands open such inputs once. A path that cannot be
 * stat'ed counts as regular: opening it reports the real error.
 *
 * @example
 * isRegularFile('/dev/stdin'); // false when standard input is a pipe
 */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}
