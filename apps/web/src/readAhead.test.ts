/**
 * The page's header scan runs ahead of the workers: `readAhead` pulls its source while the
 * consumer waits, keeps the order, throws the source's failure where it happened, and stops the
 * source when the consumer leaves early.
 */
import { describe, expect, it } from 'vitest';
import { readAhead } from './readAhead.js';

/** A source of 0…n−1 (failing at `failAt`) that counts what was pulled and whether it was stopped. */
function counted(n: number, failAt?: number) {
  const state = { pulled: 0, returned: false };
  async function* items(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) {
        await Promise.resolve();
        if (i === failAt) throw new Error(`item ${i} failed`);
        state.pulled++;
        yield i;
      }
    } finally {
      state.returned = true;
    }
  }
  return { source: items(), state };
}

/** Lets every pending promise job run (the producer's pulls are chains of them). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('readAhead', () => {
  it('gives every item in order', async () => {
    const { source } = counted(20);
    const got: number[] = [];
    for await (const x of readAhead(source, 3)) got.push(x);
    expect(got).toEqual([...Array(20).keys()]);
  });

  it('pulls up to depth items while the consumer waits, and no more', async () => {
    const { source, state } = counted(100);
    const ahead = readAhead(source, 5);
    expect((await ahead.next()).value).toBe(0);
    await settle();
    // Item 0 was taken; five more wait in the queue.
    expect(state.pulled).toBe(6);
    expect((await ahead.next()).value).toBe(1);
    await settle();
    expect(state.pulled).toBe(7);
    await ahead.return(undefined);
    expect(state.returned).toBe(true);
  });

  it("throws the source's failure after the items before it", async () => {
    const { source } = counted(10, 4);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const x of readAhead(source, 8)) got.push(x);
      })(),
    ).rejects.toThrow('item 4 failed');
    expect(got).toEqual([0, 1, 2, 3]);
  });

  it('stops the source when the consumer breaks', async () => {
    const { source, state } = counted(1000);
    for await (const x of readAhead(source, 4)) if (x === 2) break;
    expect(state.returned).toBe(true);
    expect(state.pulled).toBeLessThan(10);
  });
});
