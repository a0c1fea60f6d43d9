/**
 * A worker reads a region's segments each through one stream into a window it reuses, carrying a
 * plan that straddles the window's end to its start: every plan's bytes land where reading the
 * plan's own ranges puts them, for dense regions and far-apart ones, windows smaller than a plan
 * included; a file that ends inside a plan's read fails that plan with TRUNCATED at the byte where
 * it ends, as a read of its own ranges says, and the plans before it still have their bytes.
 */
import { ArrowReadError, type BatchReadPlan } from '@lossflow/arrow';
import { describe, expect, it } from 'vitest';
import { type ReadRegion, RegionBuilder } from './ReadRegion.js';
import { SpanReader } from './SpanReader.js';

const FILE = new Uint8Array(200_000).map((_, i) => (i * 7 + (i >> 8)) & 255);

/** A plan reading `ranges`, placed at 64-byte aligned IO positions as the package plans them. */
function plan(index: number, ranges: [number, number][]): BatchReadPlan {
  const reads: number[] = [];
  let at = 0;
  for (const [position, length] of ranges) {
    reads.push(position, length, at);
    at = Math.ceil((at + length) / 64) * 64;
  }
  return { index, rows: 1, ioBytes: at, reads, columns: [] };
}

/** The IO region of `p` as reading its own ranges from `file` fills it. */
function direct(p: BatchReadPlan, file: Uint8Array): Uint8Array {
  const io = new Uint8Array(p.ioBytes);
  for (let r = 0; r < p.reads.length; r += 3)
    io.set(file.subarray(p.reads[r]!, p.reads[r]! + p.reads[r + 1]!), p.reads[r + 2]!);
  return io;
}

/** A Blob that counts the streams opened on its slices. */
function counted(bytes: Uint8Array<ArrayBuffer>): { blob: Blob; streams: () => number } {
  let streams = 0;
  const blob = new Blob([bytes]);
  const slice = blob.slice.bind(blob);
  blob.slice = (...args: Parameters<Blob['slice']>) => {
    const part = slice(...args);
    const stream = part.stream.bind(part);
    part.stream = () => {
      streams++;
      return stream();
    };
    return part;
  };
  return { blob, streams: () => streams };
}

/** Regions of `plans` built with `regionBytes`. */
function regionsOf(plans: BatchReadPlan[], regionBytes: number): ReadRegion[] {
  const builder = new RegionBuilder(regionBytes);
  const regions: ReadRegion[] = [];
  for (const p of plans) {
    if (!builder.fits(p)) regions.push(builder.take());
    builder.add(p.index, 0, p);
  }
  regions.push(builder.take());
  return regions;
}

/** Every plan's IO region as one reader with `windowBytes` windows fills it, or its error. */
async function placed(regions: ReadRegion[], blob: Blob, windowBytes: number) {
  const reader = new SpanReader(windowBytes);
  const out: (Uint8Array | Error)[] = [];
  for (const region of regions) {
    reader.open(blob, region);
    for (const item of region.items) {
      const io = new Uint8Array(item.plan.ioBytes);
      try {
        await reader.load(item);
        reader.copy(item, io, 'log.arrows');
        out.push(io);
      } catch (e) {
        out.push(e as Error);
      }
    }
    await reader.close();
  }
  return out;
}

/** Consecutive batches of two columns, and a big batch's row ranges reading two far-apart columns. */
function plans(): BatchReadPlan[] {
  const out: BatchReadPlan[] = [];
  for (let b = 0; b < 12; b++) {
    const body = 1000 + b * 5000;
    out.push(
      plan(b, [
        [body, 3001],
        [body + 3100, 1500],
      ]),
    );
  }
  for (let k = 0; k < 6; k++)
    out.push(
      plan(12, [
        [70_000 + 8000 * k, 8000],
        [190_000 + 333 * k, 333],
      ]),
    );
  return out;
}

describe('SpanReader', () => {
  it.each([
    // Windows of 11,000 bytes: a plan of 4,600 straddles the window's end every other plan.
    ['windows that end inside plans', 11_000],
    // Windows smaller than a plan: they grow to hold it.
    ['windows smaller than a plan', 1000],
  ])(
    'puts each plan of dense and far-apart regions where its own reads put it, with %s',
    async (_, windowBytes) => {
      const regions = regionsOf(plans(), 32_000);
      expect(regions.length).toBeGreaterThan(2);
      expect(regions.some((r) => r.sequential)).toBe(true);
      expect(regions.some((r) => !r.sequential)).toBe(true);
      // A region's plans straddle a window's end, and a batch's row ranges straddle two regions.
      expect(regions.some((r) => r.bytes > windowBytes)).toBe(true);
      expect(new Set(regions.flatMap((r) => r.items.filter((i) => i.index === 12).length > 0))).toEqual(
        new Set([true, false]),
      );
      expect(regions.filter((r) => r.items.some((i) => i.index === 12)).length).toBeGreaterThan(1);
      const out = await placed(regions, new Blob([FILE]), windowBytes);
      expect(out).toEqual(plans().map((p) => direct(p, FILE)));
    },
  );

  it('reads each segment of a region through one stream', async () => {
    const { blob, streams } = counted(FILE);
    // The big batch's six row ranges: 48,000 bytes of one column and 1,998 of the other, far apart.
    const big = plans().slice(12);
    const regions = regionsOf(big, 50_000);
    expect(regions.length).toBe(1);
    const segments = regions[0]!.segments.length / 3;
    expect(segments).toBe(2);
    expect(await placed(regions, blob, 8000)).toEqual(big.map((p) => direct(p, FILE)));
    expect(streams()).toBe(segments);
  });

  it('opens a new stream for a plan behind its window', async () => {
    const { blob, streams } = counted(FILE);
    const late = plan(1, [[50_000, 1000]]);
    const early = plan(0, [[10, 1000]]);
    const region: ReadRegion = {
      segments: [0, 60_000, 0],
      bytes: 60_000,
      sequential: true,
      items: [
        { index: 1, part: 0, plan: late },
        { index: 0, part: 0, plan: early },
      ],
    };
    expect(await placed([region], blob, 4000)).toEqual([direct(late, FILE), direct(early, FILE)]);
    expect(streams()).toBe(2);
  });

  it('fails the plans the file ends inside of with TRUNCATED at the byte where it ends', async () => {
    const cut = new Blob([FILE.subarray(0, 40_000)]);
    const out = await placed(regionsOf(plans(), 16_000), cut, 6000);
    // Batch 7 reads 36,000…39,001 and 39,100…40,600: its second read is cut at 40,000; a read
    // that starts past the end ends where it starts (the last range reads 110,000…118,000).
    expect(out.slice(0, 7)).toEqual(
      plans()
        .slice(0, 7)
        .map((p) => direct(p, FILE)),
    );
    const errors = out.slice(7).map((e) => (e instanceof Error ? e : undefined));
    expect(errors.every((e) => e !== undefined && (e as { code?: string }).code === 'TRUNCATED')).toBe(true);
    expect(errors[0]!.message).toContain('the file ends at byte 40000, inside a record batch');
    expect(errors[1]!.message).toContain('the file ends at byte 41000, inside a record batch');
    expect(errors.at(-1)!.message).toContain('the file ends at byte 110000, inside a record batch');
  });

  it("words the browser's bare read failure of a changed file as an IO error with the way out", async () => {
    // Chromium rejects a stream's read with a bare "network error" when the file changed under it.
    const file = new File([FILE], 'changed.arrows');
    file.slice = () => {
      const part = new Blob([]);
      part.stream = () =>
        new ReadableStream({
          type: 'bytes',
          pull: (controller) => controller.error(new TypeError('network error')),
        });
      return part;
    };
    const out = await placed(regionsOf(plans().slice(0, 3), 1_000_000), file, 6000);
    for (const failure of out) {
      expect(failure).toBeInstanceOf(ArrowReadError);
      expect((failure as ArrowReadError).code).toBe('IO');
      expect((failure as ArrowReadError).file).toBe('changed.arrows');
      expect((failure as ArrowReadError).message).toMatch(/network error/);
      expect((failure as ArrowReadError).hint).toMatch(/changed or removed since it was chosen/);
    }
  });
});
