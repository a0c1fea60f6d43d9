import { statSync } from 'node:fs';

/**
 * Input bytes that keep one more worker thread busy: about one batch-job's worth. `eval` pre-starts
 * one worker per this many bytes of its files, and reads a file with one per this many of its bytes.
 */
export const BYTES_PER_WORKER = 8 * 1024 * 1024;

/**
 * The threads that read one regular file of an eval: at most `threads` (this thread among them),
 * and one worker per {@link BYTES_PER_WORKER} of the file, as many as `eval` pre-starts
 * for it. Why: a worker costs its start-up (a Node environment and the loss modules, tens of ms of
 * CPU) and its teardown, more than this thread takes to compute a few MB; a small file is computed
 * here alone, with the same bits as any thread count gives. `0` stays 0 (read in this thread).
 *
 * @example
 * fileThreads('epoch-log.arrows', 2); // 1: 11 KB are computed in this thread
 * fileThreads('big.arrows', 2); // 2 for a file of 8 MiB or more
 */
export function fileThreads(path: string, threads: number): number {
  if (threads <= 1) return threads;
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch {
    // The reader reports a file that cannot be stat'ed.
    return threads;
  }
  return Math.min(threads, 1 + Math.floor(bytes / BYTES_PER_WORKER));
}
