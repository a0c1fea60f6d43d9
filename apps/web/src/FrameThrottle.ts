/** When the page's work runs: a clock, a timer and the next animation frame (the browser's, or a test's). */
export interface FrameClock {
  now(): number;
  after(ms: number, run: () => void): void;
  frame(run: () => void): void;
}

/** The browser's clock, timers and animation frames. */
export const browserClock: FrameClock = {
  now: () => performance.now(),
  after: (ms, run) => {
    setTimeout(run, ms);
  },
  frame: (run) => {
    requestAnimationFrame(() => run());
  },
};

/**
 * Runs `update` in an animation frame at most once every `every` milliseconds, however often it is
 * requested: every update lays the page out and paints it again, and on a machine with few cores
 * each one takes time from the workers (four a second still look live). A request while one is
 * pending is folded into it; the update reads the latest state when it runs, so none is lost.
 *
 * @example
 * const frames = new FrameThrottle(() => { showProgress(); draw(); }, 250);
 * onProgress = () => frames.request();
 */
export class FrameThrottle {
  #pending = false;
  #last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly update: () => void,
    private readonly every: number,
    private readonly clock: FrameClock = browserClock,
  ) {}

  /** Asks for an update: in the next frame when the last one is `every` ms old, else in the first frame after that. */
  request(): void {
    if (this.#pending) return;
    this.#pending = true;
    this.clock.after(Math.max(0, this.#last + this.every - this.clock.now()), () =>
      this.clock.frame(() => {
        this.#pending = false;
        this.#last = this.clock.now();
        this.update();
      }),
    );
  }
}
