/**
 * Waits `ms`, less when `signal` aborts or the wait is ended through `onStart`'s `done`; not at all
 * when `signal` has aborted already (a worker stopped while it looked for runs must not then wait
 * out its idle time: the abort event does not come again).
 *
 * @example
 * await sleep(500, stop.signal, (done) => (wakeUp = done));
 */
export function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  onStart?: (done: () => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
    onStart?.(done);
  });
}
