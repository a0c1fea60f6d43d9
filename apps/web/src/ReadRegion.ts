import type { BatchReadPlan } from '@lossflow/arrow';

/**
 * Bytes of a file read at once for the read plans of consecutive batches (see
 * {@link RegionBuilder}). Chromium streams a `File` slice from its own process, and each stream
 * starts slowly (its first MiBs come at a fraction of the rate of the rest): a stream per plan of a
 * few MiB kept the page's workers waiting many times longer than they computed. Dense regions are
 * read from one stream over the file (see `SequentialReader`), so their size only bounds memory.
 */
export const REGION_BYTES = 8 * 1024 * 1024;

/** Gaps between reads up to this many bytes (message headers, small unread buffers) are read through. */
export const REGION_GAP = 64 * 1024;

/** A region whose span is at most this many times `REGION_BYTES` is read whole, in order. */
const SEQUENTIAL_SLACK = 1.5;

/** Plans in one region at most, so a stream of tiny batches still spreads over the workers. */
export const REGION_PLANS = 64;

/** One read plan of a region: a batch (`part` 0) or one of its row ranges. */
export interface RegionItem {
  readonly index: number;
  readonly part: number;
  readonly plan: BatchReadPlan;
  /** Where each of the plan's reads (`plan.reads`, triples) starts in the region's buffer. */
  readonly from: readonly number[];
}

/**
 * The read plans of consecutive batches of one file and the few contiguous byte ranges of the file
 * that hold all their reads: a worker reads the ranges into one buffer, then copies each plan's
 * bytes from it into the kernels' IO region. Plain data, posted to a worker.
 */
export interface ReadRegion {
  /** Triples of (file position, length, buffer position), in file order. */
  readonly segments: readonly number[];
  /** Bytes of buffer the segments fill. */
  readonly bytes: number;
  /**
   * The region is one span of the file (its one segment, gaps and all), which the page reads from
   * its stream over the file in order; otherwise its reads lie far apart (row ranges of a big
   * batch) and the worker reads each segment from a slice of its own.
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

  constructor(private readonly regionBytes = REGION_BYTES) {}

  /** No plan gathered yet. */
  get empty(): boolean {
    return this.#items.length === 0;
  }

  /** Whether `plan` can join the region (always when it is empty). */
  fits(plan: BatchReadPlan): boolean {
    if (this.#items.length === 0) return true;
    if (this.#items.length >= REGION_PLANS) return false;
    return spanBytes([...this.#reads, ...pairs(plan.reads)]) <= this.regionBytes;
  }

  /** Adds a plan (row range `part` of batch `index`). */
  add(index: number, part: number, plan: BatchReadPlan): void {
    this.#items.push({ index, part, plan });
    this.#reads.push(...pairs(plan.reads));
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
    const items = this.#items.map(({ index, part, plan }): RegionItem => {
      const from: number[] = [];
      for (let r = 0; r < plan.reads.length; r += 3) {
        const position = plan.reads[r]!;
        // The segment that holds the read (segments are few: a linear search).
        let s = 0;
        while (s + 3 < segments.length && segments[s + 3]! <= position) s += 3;
        from.push(segments[s + 2]! + (position - segments[s]!));
      }
      return { index, part, plan, from };
    });
    this.#items.length = 0;
    this.#reads = [];
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
function spanBytes(reads: readonly number[]): number {
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
