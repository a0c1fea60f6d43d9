/**
 * A region's bytes, read by the page's stream over the file (a dense region) or by the worker in
 * segments (far-apart reads), put every plan's bytes where reading the plan's own ranges puts
 * them; a file that ends inside a plan's read fails that plan with TRUNCATED at the byte where it
 * ends, as a read of its own ranges says, and the plans before it still have their bytes.
 */
import type { BatchReadPlan } from '@lossflow/arrow';
import { describe, expect, it } from 'vitest';
import { placePlanBytes } from './placePlanBytes.js';
import { type ReadRegion, RegionBuilder } from './ReadRegion.js';
import { type RegionBytes, RegionReader } from './RegionReader.js';
import { SequentialReader } from './SequentialReader.js';

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

/** Reads a region as the page does: a dense one from the stream, the others by segments. */
async function readRegion(region: ReadRegion, blob: Blob, stream: SequentialReader): Promise<RegionBytes> {
  if (!region.sequential) return new RegionReader().read(blob, region);
  const { buffer, got } = await stream.read(new ArrayBuffer(region.bytes), region.segments[0]!, region.bytes);
  return { buffer: new Uint8Array(buffer, 0, region.bytes), got: [got] };
}

/** Regions of `plans` built with `regionBytes`, their plans' IO regions as placed, or the error. */
async function placed(plans: BatchReadPlan[], file: Uint8Array<ArrayBuffer>, regionBytes: number) {
  const blob = new Blob([file]);
  const stream = new SequentialReader(blob);
  const builder = new RegionBuilder(regionBytes);
  const regions: ReadRegion[] = [];
  for (const p of plans) {
    if (!builder.fits(p)) regions.push(builder.take());
    builder.add(p.index, 0, p);
  }
  regions.push(builder.take());
  const out: (Uint8Array | Error)[] = [];
  for (const region of regions) {
    const bytes = await readRegion(region, blob, stream);
    for (const item of region.items) {
      const io = new Uint8Array(item.plan.ioBytes);
      try {
        placePlanBytes(region, bytes, item, io, 'log.arrows');
        out.push(io);
      } catch (e) {
        out.push(e as Error);
      }
    }
  }
  await stream.close();
  return { regions, out };
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
        [150_000 + 333 * k, 333],
      ]),
    );
  return out;
}

describe('placePlanBytes', () => {
  it('puts each plan of dense and of far-apart regions where its own reads put it', async () => {
    const { regions, out } = await placed(plans(), FILE, 16_000);
    expect(regions.length).toBeGreaterThan(4);
    expect(regions.some((r) => r.sequential)).toBe(true);
    expect(regions.some((r) => !r.sequential)).toBe(true);
    expect(out).toEqual(plans().map((p) => direct(p, FILE)));
  });

  it('fails the plans the file ends inside of with TRUNCATED at the byte where it ends', async () => {
    const cut = FILE.subarray(0, 40_000);
    const { out } = await placed(plans(), cut, 16_000);
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
});
