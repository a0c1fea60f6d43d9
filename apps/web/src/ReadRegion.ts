import type { BatchReadPlan } from '@lossflow/arrow';

/**
 * Bytes of a file in one region at most (see {@link RegionBuilder}): a worker reads a region's
 * span through one stream of its own (see `SpanReader`). Chromium streams a `File` slice from its
 * own process and each stream starts slowly (its first MiBs come at a fraction of the rate of the
 * rest), so long spans read fastest; a region's bytes are never all in memory at once, so its size
 * bounds only how unevenly the workers' last spans end.
 */
export const REGION_BYTES = 64 * 1024 * 1024;

/** Bytes of a region at least, however small the file: shorter streams read slowly. */
export const MIN_REGION_BYTES = 4 * 1024 * 1024;

/** Regions per worker a file is cut into at least (where the regions are not too small). */
const REGIONS_PER_WORKER = 4;

/**
 * The region size for a file of `fileBytes` bytes read by `workers` workers: {@link REGION_BYTES},
 * or less for a small file, so it still makes a few regions per worker and every worker reads.
 *
 * @example
 * const builder = new RegionBuilder(spanBytes(file.size, pool.size));
 */
export function spanBytes(fileBytes: number, workers: number): number {
  const share = Math.ceil(fileBytes / (REGIONS_PER_WORKER * Math.max(1, workers)));
  return Math.min(REGION_BYTES, Math.max(MIN_REGION_BYTES, share));
}

/** Gaps between reads up to this many bytes (message headers, small unread buffers) are read through. */
export const REGION_GAP = 64 * 1024;

/** A region whose span is at most this many times `REGION_BYTES` is read whole, in order. */
const SEQUENTIAL_SLACK = 1.5;

/** Plans in one region at most, so a stream of tiny batches still spreads over the workers. */
export const REGION_PLANS = 1024;

/** One read plan of a region: a batch (`part` 0) or one of its row ranges. */
export interface RegionItem {
  readonly index: number;
  readonly part: number;
  readonly plan: BatchReadPlan;
}

/**
 * The read plans of consecutive batches of one file and the few contiguous byte ranges of the file
 * that hold all their reads: a worker reads each range through a stream of its own, copying each
 * plan's bytes into the kernels' IO region as they come in. Plain data, posted to a worker.
 */
export interface ReadRegion {
  /** Triples of (file position, length, bytes of the segments before), in file order. */
  readonly segments: readonly number[];
  /** Bytes the segments hold. */
  readonly bytes: number;
  /**
   * The region is one span of the file (its one segment, gaps and all), read in order; otherwise
   * its reads lie far apart (row ranges of a big batch) in a few segments read side by side.
   */
  readonly sequential: boolean;
  readonly items: readonly RegionItem[];
}

/**
 * Gathers the read plans of consecutive batches into {@link ReadRegion}s of up to `regionBytes`
 * bytes of the file: `add` a plan while `fits` says so, `take` the region when it does not (and at
 * the end of a file). The reads of all its plans, sorted and joined where they lie at most
 * `REGION_GAP` apart, make its segments; a plan bigger than a region is a region of its own.
 *
 * @example
 * if (!builder.fits(plan)) send(builder.take());
 * builder.add(index, part, plan);
 */
export class RegionBuilder {
  readonly #items: { index: number; part: number; plan: BatchReadPlan }[] = [];
  /** Pairs (file position, length) of the reads of the plans so far. */
  #reads: number[] = [];
  /** The first and the end position of the reads so far: their span bounds their bytes. */
  #low = Number.POSITIVE_INFINITY;
  #high = 0;

  constructor(private readonly regionBytes = REGION_BYTES) {}

  /** No plan gathered yet. */
  get empty(): boolean {
    return this.#items.length === 0;
  }

  /** Whether `plan` can join the region (always when it is empty). */
  fits(plan: BatchReadPlan): boolean {
    if (this.#items.length === 0) return true;
    if (this.#items.length >= REGION_PLANS) return false;
    // The plans of consecutive batches lie in one span: no need to sort every read again.
    let low = this.#low;
    let high = this.#high;
    for (let r = 0; r < plan.reads.length; r += 3) {
      low = Math.min(low, plan.reads[r]!);
      high = Math.max(high, plan.reads[r]! + plan.reads[r + 1]!);
    }
    if (high - low <= this.regionBytes) return true;
    return joinedBytes([...this.#reads, ...pairs(plan.reads)]) <= this.regionBytes;
  }

  /** Adds a plan (row range `part` of batch `index`). */
  add(index: number, part: number, plan: BatchReadPlan): void {
    this.#items.push({ index, part, plan });
    this.#reads.push(...pairs(plan.reads));
    for (let r = 0; r < plan.reads.length; r += 3) {
      this.#low = Math.min(this.#low, plan.reads[r]!);
      this.#high = Math.max(this.#high, plan.reads[r]! + plan.reads[r + 1]!);
    }
  }

  /** The region of the plans added since the last `take`, and starts a new one. */
  take(): ReadRegion {
    const sorted = sortedPairs(this.#reads);
    let segments: number[] = [];
    let bytes = 0;
    let spanEnd = 0;
    for (let i = 0; i < sorted.length; i += 2) spanEnd = Math.max(spanEnd, sorted[i]! + sorted[i + 1]!);
    const spanStart = sorted[0] ?? 0;
    // A span not much bigger than its reads (message headers, a small unread column between) is
    // read whole, in order.
    const sequential = spanEnd - spanStart <= SEQUENTIAL_SLACK * this.regionBytes;
    if (sequential) {
      bytes = spanEnd - spanStart;
      segments = [spanStart, bytes, 0];
    }
    for (let i = 0; i < sorted.length && !sequential; i += 2) {
      const position = sorted[i]!;
      const end = position + sorted[i + 1]!;
      const last = segments.length - 3;
      if (last >= 0 && position <= segments[last]! + segments[last + 1]! + REGION_GAP) {
        const grown = Math.max(end - segments[last]!, segments[last + 1]!);
        bytes += grown - segments[last + 1]!;
        segments[last + 1] = grown;
      } else {
        segments.push(position, end - position, bytes);
        bytes += end - position;
      }
    }
    const items = this.#items.map(({ index, part, plan }): RegionItem => ({ index, part, plan }));
    this.#items.length = 0;
    this.#reads = [];
    this.#low = Number.POSITIVE_INFINITY;
    this.#high = 0;
    return { segments, bytes, sequential, items };
  }
}

/** The (position, length) pairs of a plan's read triples. */
function pairs(reads: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < reads.length; i += 3) out.push(reads[i]!, reads[i + 1]!);
  return out;
}

/** (position, length) pairs sorted by position. */
function sortedPairs(reads: readonly number[]): number[] {
  const order: number[] = [];
  for (let i = 0; i < reads.length; i += 2) order.push(i);
  order.sort((a, b) => reads[a]! - reads[b]!);
  return order.flatMap((i) => [reads[i]!, reads[i + 1]!]);
}

/** Bytes the segments of these reads (joined across gaps of up to `REGION_GAP`) would fill. */
function joinedBytes(reads: readonly number[]): number {
  const sorted = sortedPairs(reads);
  let bytes = 0;
  let start = -1;
  let end = -1;
  for (let i = 0; i < sorted.length; i += 2) {
    const position = sorted[i]!;
    const stop = position + sorted[i + 1]!;
    if (start >= 0 && position <= end + REGION_GAP) end = Math.max(end, stop);
    else {
      if (start >= 0) bytes += end - start;
      start = position;
      end = stop;
    }
  }
  return start >= 0 ? bytes + end - start : 0;
}
