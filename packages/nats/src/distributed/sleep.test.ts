import { describe, expect, it } from 'vitest';
import { sleep } from './sleep.js';

describe('sleep', () => {
  it('waits its time, or less when its signal aborts or it is woken', async () => {
    const started = Date.now();
    await sleep(30, undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const stop = new AbortController();
    const aborted = sleep(600_000, stop.signal);
    stop.abort();
    await aborted;
    let wake: (() => void) | undefined;
    const woken = sleep(600_000, undefined, (done) => {
      wake = done;
    });
    wake?.();
    await woken;
  });

  it('does not wait when its signal has aborted already', async () => {
    const stop = new AbortController();
    stop.abort();
    let woken = false;
    await sleep(600_000, stop.signal, () => {
      woken = true;
    });
    // Nothing to wake: the wait never started.
    expect(woken).toBe(false);
  });
});
