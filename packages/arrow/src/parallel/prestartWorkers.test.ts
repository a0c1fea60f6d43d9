/**
 * prestartWorkers is a hint given before arguments are validated: a count it cannot use starts no
 * thread and never throws or hangs.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { prestartWorkers, takeWorker } from './prestartWorkers.js';

describe('prestartWorkers', () => {
  it.each([Number.NaN, 2.5, -1, 0, Number.POSITIVE_INFINITY])(
    'a count of %s starts no thread',
    async (count) => {
      expect(() => prestartWorkers(count)).not.toThrow();
      // Thread ids grow: a worker taken now is new (started after this marker) unless one was waiting.
      const marker = new Worker('', { eval: true });
      const taken = takeWorker();
      try {
        expect(taken.threadId).toBeGreaterThan(marker.threadId);
      } finally {
        await Promise.all([marker.terminate(), taken.terminate()]);
      }
    },
  );
});
