/**
 * The worker pool's start-up never hangs: `init()` rejects when the pool is closed (a cancel)
 * while the workers start, and when a worker dies before it is ready.
 */
import { describe, expect, it } from 'vitest';
import type { FromWorker } from './workerMessages.js';
import { WorkerPool } from './workerPool.js';

/** A worker that never answers until told to: what a slow or dead worker looks like. */
class SilentWorker {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  readonly #listeners: ((event: MessageEvent) => void)[] = [];
  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.#listeners.push(listener);
  }
  removeEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.#listeners.splice(this.#listeners.indexOf(listener), 1);
  }
  postMessage(): void {}
  terminate(): void {
    this.terminated = true;
  }
  /** Posts `data` to the page, as a worker does. */
  answer(data: FromWorker): void {
    const event = { data } as MessageEvent;
    this.onmessage?.(event);
    for (const l of [...this.#listeners]) l(event);
  }
  crash(message: string): void {
    this.onerror?.({ message, preventDefault: () => undefined } as ErrorEvent);
  }
}

const SPEC = { losses: [], by: undefined, kernels: 'js' } as const;

function pool(): { pool: WorkerPool; workers: SilentWorker[]; replies: FromWorker[] } {
  const workers: SilentWorker[] = [];
  const replies: FromWorker[] = [];
  const p = new WorkerPool(
    () => {
      const w = new SilentWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
    2,
    (r) => replies.push(r),
  );
  return { pool: p, workers, replies };
}

describe('WorkerPool.init', () => {
  it('resolves once every worker is ready', async () => {
    const { pool: p, workers } = pool();
    const ready = p.init(SPEC);
    for (const w of workers) w.answer({ type: 'ready', kernels: 'js' });
    await expect(ready).resolves.toBeUndefined();
  });

  it('rejects when the pool is closed while the workers start (a cancel)', async () => {
    const { pool: p, workers } = pool();
    const ready = p.init(SPEC);
    workers[0]!.answer({ type: 'ready', kernels: 'js' });
    p.close();
    await expect(ready).rejects.toThrow(/closed/);
    expect(workers.every((w) => w.terminated)).toBe(true);
    await expect(p.init(SPEC)).rejects.toThrow(/closed/);
  });

  it('rejects when a worker dies before it is ready, and reports the crash', async () => {
    const { pool: p, workers, replies } = pool();
    const ready = p.init(SPEC);
    workers[1]!.crash('out of memory');
    await expect(ready).rejects.toThrow('a compute worker failed: out of memory');
    expect(replies.map((r) => r.type)).toEqual(['error']);
  });
});

/** A region of one plan: what it holds does not matter to the pool, only that it is one job. */
const ONE_JOB = {
  file: new File([], 'log.arrows'),
  region: { segments: [], bytes: 0, sequential: true, items: [{ index: 0, part: 0, plan: {} }] },
  names: [],
  layouts: [],
  columns: [],
} as unknown as Parameters<WorkerPool['sendRegion']>[0];

describe('WorkerPool.release', () => {
  it('hands its workers back, not terminated, when every job was answered', () => {
    const { pool: p, workers } = pool();
    const [job] = p.sendRegion(ONE_JOB);
    workers[0]!.answer({ type: 'chunks', job: job!, index: 0, part: 0, chunks: [] });
    const kept = p.release();
    expect(kept).toHaveLength(2);
    expect(workers.some((w) => w.terminated)).toBe(false);
    expect(workers.every((w) => w.onmessage === null)).toBe(true);
    // The pool is over: nothing more goes to the workers it handed back.
    expect(p.sendRegion(ONE_JOB)).toEqual([]);
  });

  it('terminates its workers instead while a job is still out', () => {
    const { pool: p, workers } = pool();
    p.sendRegion(ONE_JOB);
    expect(p.release()).toEqual([]);
    expect(workers.every((w) => w.terminated)).toBe(true);
  });
});
