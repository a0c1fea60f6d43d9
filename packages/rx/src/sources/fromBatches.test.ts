import type { RecordBatch } from 'apache-arrow';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromBatches } from './fromBatches.js';

/** A source that counts how many batches it has handed out and whether it was closed. */
function countingSource(total: number, opts: { failAt?: number } = {}) {
  const stats = { produced: 0, consumed: 0, maxInFlight: 0, finalized: false, closed: 0 };
  async function* gen() {
    try {
      for (let i = 0; i < total; i++) {
        await new Promise((r) => setImmediate(r));
        if (i === opts.failAt) throw new Error(`read failed at batch ${i}`);
        stats.produced++;
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.produced - stats.consumed);
        yield { index: i } as unknown as RecordBatch;
      }
    } finally {
      stats.finalized = true;
    }
  }
  const it = gen();
  return {
    stats,
    source: Object.assign(it, {
      close: () => {
        stats.closed++;
      },
    }),
  };
}

function busyWait(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* a slow synchronous consumer */
  }
}

describe('fromBatches', () => {
  it('is pull-driven: a slow synchronous consumer never has more than one batch in flight', async () => {
    const { stats, source } = countingSource(200);
    let seen = 0;
    await new Promise<void>((resolve, reject) =>
      fromBatches(source).subscribe({
        next: () => {
          busyWait(0.2);
          stats.consumed++;
          seen++;
        },
        error: reject,
        complete: resolve,
      }),
    );
    expect(seen).toBe(200);
    expect(stats.maxInFlight).toBeLessThanOrEqual(1);
    expect(stats.closed).toBe(1);
  });

  it('stops reading and closes the source when the subscriber unsubscribes (take)', async () => {
    const { stats, source } = countingSource(1000);
    const got = await firstValueFrom(fromBatches(source).pipe(take(3), toArray()));
    expect(got).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 20));
    expect(stats.finalized).toBe(true);
    expect(stats.closed).toBe(1);
    expect(stats.produced).toBeLessThanOrEqual(4);
  });

  it('sends a read error to the subscriber, after closing the source, and never completes', async () => {
    const { stats, source } = countingSource(10, { failAt: 4 });
    const seen: unknown[] = [];
    const result = lastValueFrom(fromBatches(source).pipe(toArray()));
    await expect(result).rejects.toThrow('read failed at batch 4');
    expect(stats.closed).toBe(1);
    expect(seen).toEqual([]);
  });
});
