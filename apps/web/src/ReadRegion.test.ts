/**
 * Regions gather the read plans of consecutive batches: up to a size, a dense span read whole
 * (one segment, every plan's bytes at its offset in the span), far-apart reads (row ranges of a
 * big batch) as few joined segments; a batch's row ranges may fall in two regions.
 */
import type { BatchReadPlan } from '@lossflow/arrow';
import { describe, expect, it } from 'vitest';
import { MIN_REGION_BYTES, REGION_BYTES, REGION_PLANS, RegionBuilder, spanBytes } from './ReadRegion.js';

/** A plan reading `ranges` (file position, length), packed one after another into its IO region. */
function plan(index: number, ranges: [number, number][]): BatchReadPlan {
  const reads: number[] = [];
  let at = 0;
  for (const [position, length] of ranges) {
    reads.push(position, length, at);
    at += length;
  }
  return { index, rows: 1, ioBytes: at, reads, columns: [] };
}

/** Regions of `plans` (pairs of batch index and plan), as the page forms them. */
function regions(builder: RegionBuilder, plans: [number, BatchReadPlan][]) {
  const out = [];
  const parts = new Map<number, number>();
  for (const [index, p] of plans) {
    if (!builder.fits(p)) out.push(builder.take());
    const part = parts.get(index) ?? 0;
    parts.set(index, part + 1);
    builder.add(index, part, p);
  }
  if (!builder.empty) out.push(builder.take());
  return out;
}

describe('RegionBuilder', () => {
  it('gathers consecutive batches up to the region size, each read from the span it lies in', () => {
    // Batches of 300 bytes each after a 20-byte header, reading two buffers each.
    const plans: [number, BatchReadPlan][] = [];
    for (let b = 0; b < 7; b++) {
      const body = 20 + b * 320;
      plans.push([
        b,
        plan(b, [
          [body, 100],
          [body + 200, 100],
        ]),
      ]);
    }
    const out = regions(new RegionBuilder(1000), plans);
    // 320 bytes a batch: three fit in 1,000 (860 of span), a fourth does not.
    expect(out.map((r) => r.items.map((i) => i.index))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(out.every((r) => r.sequential)).toBe(true);
    const [first] = out;
    expect(first!.segments).toEqual([20, 2 * 320 + 300, 0]);
    expect(first!.bytes).toBe(940);
  });

  it('puts the row ranges of one batch in two regions where the size ends between them', () => {
    // One batch cut into three row ranges of a column at 1,000: 400 bytes each.
    const plans: [number, BatchReadPlan][] = [0, 1, 2].map((k) => [0, plan(0, [[1000 + 400 * k, 400]])]);
    plans.push([1, plan(1, [[2300, 400]])]);
    const out = regions(new RegionBuilder(900), plans);
    expect(out.map((r) => r.items.map((i) => [i.index, i.part]))).toEqual([
      [
        [0, 0],
        [0, 1],
      ],
      [
        [0, 2],
        [1, 0],
      ],
    ]);
    expect(out[1]!.segments).toEqual([1800, 900, 0]);
  });

  it('reads far-apart ranges (the row ranges of a big batch) as joined segments', () => {
    // Two columns 1 MB apart; each row range reads 300 bytes of the first and 10 of the second.
    const far = 1_000_000;
    const plans: [number, BatchReadPlan][] = [0, 1, 2].map((k) => [
      0,
      plan(0, [
        [300 * k, 300],
        [far + 10 * k, 10],
      ]),
    ]);
    const [region, ...rest] = regions(new RegionBuilder(1000), plans);
    expect(rest).toEqual([]);
    expect(region!.sequential).toBe(false);
    expect(region!.segments).toEqual([0, 900, 0, far, 30, 900]);
    expect(region!.bytes).toBe(930);
  });

  it('makes a plan bigger than a region a region of its own', () => {
    const out = regions(new RegionBuilder(100), [
      [0, plan(0, [[0, 50]])],
      [1, plan(1, [[50, 500]])],
      [2, plan(2, [[550, 10]])],
    ]);
    expect(out.map((r) => r.items.map((i) => i.index))).toEqual([[0], [1], [2]]);
  });

  it('keeps at most REGION_PLANS plans in a region', () => {
    const plans: [number, BatchReadPlan][] = [];
    for (let b = 0; b < REGION_PLANS + 1; b++) plans.push([b, plan(b, [[b, 1]])]);
    const out = regions(new RegionBuilder(), plans);
    expect(out.map((r) => r.items.length)).toEqual([REGION_PLANS, 1]);
  });
});

describe('spanBytes', () => {
  it('cuts a big file into full regions and a small one into a few regions per worker', () => {
    expect(spanBytes(840e6, 2)).toBe(REGION_BYTES);
    // 40 MB over 2 workers: 5 MB regions, 8 of them, so both workers read.
    expect(spanBytes(40e6, 2)).toBe(5e6);
    expect(Math.ceil(40e6 / spanBytes(40e6, 2))).toBeGreaterThan(2);
    expect(spanBytes(1e6, 4)).toBe(MIN_REGION_BYTES);
  });
});
