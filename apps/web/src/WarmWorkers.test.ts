import { describe, expect, it } from 'vitest';
import { WarmWorkers } from './WarmWorkers.js';

/** A worker that records what it is sent and whether it was terminated. */
class FakeWorker {
  readonly sent: unknown[] = [];
  terminated = false;
  constructor(readonly id: number) {}
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
}

function warmWorkers(): { warm: WarmWorkers; started: FakeWorker[] } {
  const started: FakeWorker[] = [];
  const warm = new WarmWorkers(() => {
    const w = new FakeWorker(started.length);
    started.push(w);
    return w as unknown as Worker;
  });
  return { warm, started };
}

describe('WarmWorkers', () => {
  it('starts the workers asked for ahead of a run, each told to load its kernels', () => {
    const { warm, started } = warmWorkers();
    warm.prepare(3);
    expect(warm.size).toBe(3);
    expect(started.map((w) => w.sent)).toEqual([[{ type: 'warm' }], [{ type: 'warm' }], [{ type: 'warm' }]]);
    // Asked again: none started twice.
    warm.prepare(3);
    expect(started).toHaveLength(3);
  });

  it('hands out the started workers first, then new ones', () => {
    const { warm, started } = warmWorkers();
    warm.prepare(2);
    const taken = [warm.take(), warm.take(), warm.take()] as unknown as FakeWorker[];
    expect(taken.map((w) => w.id)).toEqual([0, 1, 2]);
    // The one started on demand is not told to warm up: the run's `init` follows at once.
    expect(started[2]!.sent).toEqual([]);
    expect(warm.size).toBe(0);
  });

  it('terminates the workers beyond a smaller count, and all of them on clear', () => {
    const { warm, started } = warmWorkers();
    warm.prepare(4);
    warm.prepare(1);
    expect(warm.size).toBe(1);
    expect(started.map((w) => w.terminated)).toEqual([false, true, true, true]);
    warm.clear();
    expect(started[0]!.terminated).toBe(true);
  });

  it("keeps a finished run's workers for the next run", () => {
    const { warm, started } = warmWorkers();
    warm.prepare(2);
    const run = [warm.take(), warm.take()];
    warm.keep(run);
    expect(warm.size).toBe(2);
    expect(warm.take()).toBe(run[0]);
    expect(started).toHaveLength(2);
  });
});
