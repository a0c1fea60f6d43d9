import { MAX_THREADS } from '@lossflow/arrow';
import { LossError } from '@lossflow/core';

/**
 * `fromFile`'s `threads` option, checked when `fromFile` is called: a whole number from 0 to
 * `MAX_THREADS` of `@lossflow/arrow`, whose `mapBatchesInWorkers` refuses more (default 0). `Infinity`, NaN, fractions and negatives are an
 * `INVALID_OPTION` error instead of a raw `RangeError` or a silently rounded count.
 *
 * @example
 * threadsOption(4); // 4
 */
export function threadsOption(threads: unknown): number {
  if (threads === undefined) return 0;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 0 || threads > MAX_THREADS) {
    throw new LossError(
      'INVALID_OPTION',
      `threads must be a whole number from 0 to ${MAX_THREADS}, got ${String(threads)}`,
      {
        argument: 'threads',
        hint: `Pass threads: 0 (read and compute in this thread) up to ${MAX_THREADS}; about the number of CPU cores is fastest.`,
      },
    );
  }
  return threads;
}
