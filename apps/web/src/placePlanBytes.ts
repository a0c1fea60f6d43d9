import { truncated } from './ipcBlocks.js';
import type { ReadRegion, RegionItem } from './ReadRegion.js';
import type { RegionBytes } from './RegionReader.js';

/**
 * Copies the bytes of one plan of a region from the region's buffer to their places in the plan's
 * IO region `io` (as reading the plan's ranges straight into it would put them).
 *
 * @throws {ArrowReadError} `TRUNCATED` when the file ends inside one of the plan's reads, naming the
 * byte where it ends, as a read of the plan's own ranges names it.
 * @example
 * placePlanBytes(region, await reader.read(file, region), region.items[0], io, file.name);
 */
export function placePlanBytes(
  region: ReadRegion,
  read: RegionBytes,
  item: RegionItem,
  io: Uint8Array,
  file: string,
): void {
  const segments = region.segments;
  const reads = item.plan.reads;
  for (let r = 0, k = 0; r < reads.length; r += 3, k++) {
    const length = reads[r + 1]!;
    const from = item.from[k]!;
    // The segment whose buffer range holds the read (segments are few and in buffer order).
    let s = 0;
    while (s + 3 < segments.length && segments[s + 5]! <= from) s += 3;
    const available = Math.min(length, Math.max(0, segments[s + 2]! + read.got[s / 3]! - from));
    if (available < length) throw truncated(file, reads[r]! + available);
    io.set(read.buffer.subarray(from, from + length), reads[r + 2]!);
  }
}
