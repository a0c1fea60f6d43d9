/**
 * The page shows its progress and draws its charts through one `FrameThrottle`: however many
 * batches are merged, the page is laid out and painted at most once every `every` ms, in a frame,
 * and the last request is never lost.
 */
import { describe, expect, it } from 'vitest';
import { type FrameClock, FrameThrottle } from './FrameThrottle.js';

/** A clock the test moves by hand: timers fire when it passes them, frames when `frame()` is called. */
function manualClock() {
  let time = 0;
  let timers: { at: number; run: () => void }[] = [];
  let frames: (() => void)[] = [];
  const clock: FrameClock = {
    now: () => time,
    after: (ms, run) => {
      timers.push({ at: time + ms, run });
    },
    frame: (run) => {
      frames.push(run);
    },
  };
  return {
    clock,
    /** Moves the time to `to`, firing the timers due, then runs the frames they asked for. */
    advance(to: number): void {
      time = to;
      const due = timers.filter((t) => t.at <= time);
      timers = timers.filter((t) => t.at > time);
      for (const t of due) t.run();
      const queued = frames;
      frames = [];
      for (const f of queued) f();
    },
  };
}

describe('FrameThrottle', () => {
  it('folds the requests of one interval into one update, run in a frame', () => {
    const m = manualClock();
    let updates = 0;
    const frames = new FrameThrottle(() => updates++, 250, m.clock);
    for (let i = 0; i < 100; i++) frames.request();
    expect(updates).toBe(0);
    m.advance(0);
    expect(updates).toBe(1);
    // 100 more requests (a batch merged each) 10 ms later: none before 250 ms have passed.
    for (let i = 0; i < 100; i++) frames.request();
    m.advance(10);
    m.advance(249);
    expect(updates).toBe(1);
    m.advance(250);
    expect(updates).toBe(2);
  });

  it('runs a request made long after the last update at the next frame, and loses none', () => {
    const m = manualClock();
    const seen: number[] = [];
    let state = 0;
    const frames = new FrameThrottle(() => seen.push(state), 250, m.clock);
    frames.request();
    m.advance(0);
    state = 1;
    frames.request();
    state = 2;
    m.advance(1000);
    // The update reads the latest state: the last request's.
    expect(seen).toEqual([0, 2]);
    // Long after that update: the next frame, with no wait.
    m.advance(1500);
    state = 3;
    frames.request();
    m.advance(1500);
    expect(seen).toEqual([0, 2, 3]);
  });
});
