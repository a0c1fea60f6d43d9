import { blobReadFailure } from '@lossflow/arrow';
import { truncated } from './ipcBlocks.js';
import type { ReadRegion, RegionItem } from './ReadRegion.js';

/**
 * Bytes of each segment's window: a plan's bytes in one segment must fit (the window grows when
 * they do not). Reused from span to span: touching fresh memory is many times slower than reading
 * a file into memory already touched.
 */
export const WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Gaps up to this many bytes ahead of a segment's stream are read through and dropped: a new
 * stream costs more than that (Chromium's stream of a `File` starts slowly).
 */
export const SKIP_BYTES = 16 * 1024 * 1024;

/** One segment of the span: its own byte stream, and the window of it that is in memory. */
interface Window {
  /** The segment's end in the file: its stream reads up to there. */
  readonly segmentEnd: number;
  reader: ReadableStreamBYOBReader | undefined;
  buffer: ArrayBuffer;
  /** File positions of the buffer's first byte and of the byte after the last one read. */
  start: number;
  end: number;
  /** The stream ended (at the segment's end, or earlier where the file is shorter). */
  ended: boolean;
  /** The read that failed (its buffer is gone with it): every later plan of the segment fails so. */
  failed?: unknown;
}

/**
 * Reads the plans of one {@link ReadRegion} (a span of consecutive batches) as their bytes arrive:
 * each segment of the region through ONE byte stream over it with a BYOB reader into a window that
 * is reused, so a plan is computed as soon as its bytes are in, and the bytes of a plan that
 * straddle the window's end are carried to its start. In Chromium one long BYOB stream per worker
 * reads a `File` several times faster than a stream per read or `FileReaderSync` (fresh buffers
 * each time). Plans are loaded in the region's order; one that reads behind a window opens a new
 * stream there.
 *
 * @example
 * const span = new SpanReader();
 * span.open(file, region);
 * for (const item of region.items) {
 *   await span.load(item);
 *   span.copy(item, io, file.name);
 * }
 * await span.close();
 */
export class SpanReader {
  #file: Blob = new Blob([]);
  #segments: readonly number[] = [];
  #windows: (Window | undefined)[] = [];
  /** Buffers of the windows, kept from span to span. */
  readonly #buffers: ArrayBuffer[] = [];

  constructor(private readonly windowBytes = WINDOW_BYTES) {}

  /** Starts on `region` of `file` (its streams open as its plans need them). */
  open(file: Blob, region: ReadRegion): void {
    this.#file = file;
    this.#segments = region.segments;
    this.#windows = [];
  }

  /** Reads until every byte of `item` is in its segment's window, or its stream ended. */
  async load(item: RegionItem): Promise<void> {
    const reads = item.plan.reads;
    // The lowest and highest file position the plan reads in each segment it touches.
    const low = new Map<number, number>();
    const high = new Map<number, number>();
    for (let r = 0; r < reads.length; r += 3) {
      const position = reads[r]!;
      const s = this.#segmentOf(position);
      low.set(s, Math.min(low.get(s) ?? position, position));
      high.set(s, Math.max(high.get(s) ?? 0, position + reads[r + 1]!));
    }
    for (const [s, lo] of low) await this.#ensure(s, lo, high.get(s)!);
  }

  /**
   * Copies the bytes of `item` (loaded) to their places in its IO region `io`.
   *
   * @throws {ArrowReadError} `TRUNCATED` when the file ends inside one of the plan's reads, naming
   * the byte where it ends, as a read of the plan's own ranges names it.
   */
  copy(item: RegionItem, io: Uint8Array, file: string): void {
    const reads = item.plan.reads;
    for (let r = 0; r < reads.length; r += 3) {
      const position = reads[r]!;
      const length = reads[r + 1]!;
      const w = this.#windows[this.#segmentOf(position)];
      const available = w === undefined ? 0 : Math.min(length, Math.max(0, w.end - position));
      if (available < length || w === undefined) throw truncated(file, position + available);
      const from = position - w.start;
      io.set(new Uint8Array(w.buffer, from, length), reads[r + 2]!);
    }
  }

  /**
   * The file's bytes `position`…`position + length` of the region's segment that holds
   * `position`, as a view of its window: valid until the next call of this reader (the window then
   * moves on). Shorter where the file ends first. Reads are meant to go forward, as a stream does:
   * one behind the window opens a new stream there.
   */
  async bytes(position: number, length: number): Promise<Uint8Array> {
    const s = this.#segmentOf(position);
    await this.#ensure(s, position, position + length);
    const w = this.#windows[s]!;
    if (w.end <= position) return new Uint8Array(0);
    return new Uint8Array(w.buffer, position - w.start, Math.min(length, w.end - position));
  }

  /** Ends the region's streams (their buffers are kept for the next region). */
  async close(): Promise<void> {
    const windows = this.#windows;
    this.#windows = [];
    for (const w of windows) if (w?.reader !== undefined) await w.reader.cancel().catch(() => undefined);
  }

  /** The segment that holds file position `position` (segments are few and in file order). */
  #segmentOf(position: number): number {
    const segments = this.#segments;
    let s = 0;
    while (s + 3 < segments.length && segments[s + 3]! <= position) s += 3;
    return s / 3;
  }

  /** Makes segment `s`'s window hold the file's bytes `lo`…`hi` (as far as the file has them). */
  async #ensure(s: number, lo: number, hi: number): Promise<void> {
    let w = this.#windows[s];
    if (w === undefined) {
      // A buffer a failed read took (it is detached) is not reused.
      const kept = this.#buffers[s];
      const buffer = kept !== undefined && kept.byteLength > 0 ? kept : new ArrayBuffer(this.windowBytes);
      w = {
        segmentEnd: this.#segments[3 * s]! + this.#segments[3 * s + 1]!,
        reader: undefined,
        buffer,
        start: lo,
        end: lo,
        ended: false,
      };
      this.#windows[s] = w;
    }
    if (w.failed !== undefined) throw w.failed;
    if (w.reader === undefined || lo < w.start || lo - w.end > SKIP_BYTES) {
      // A new stream from `lo`: the first, or one behind the window or far ahead of it.
      await w.reader?.cancel().catch(() => undefined);
      w.reader = this.#file.slice(lo, w.segmentEnd).stream().getReader({ mode: 'byob' });
      w.start = lo;
      w.end = lo;
      w.ended = false;
    }
    if (hi - lo > w.buffer.byteLength) {
      // A plan bigger than the window: a bigger one, kept for the next regions.
      const grown = new ArrayBuffer(Math.max(hi - lo, 2 * w.buffer.byteLength));
      if (w.end > lo) new Uint8Array(grown).set(new Uint8Array(w.buffer, lo - w.start, w.end - lo));
      w.buffer = grown;
      w.start = Math.min(lo, w.end);
    } else if (hi > w.start + w.buffer.byteLength) slide(w, lo);
    while (w.end < hi && !w.ended) {
      // Full before the plan's last byte (a gap was read through): the plan's part moves to the start.
      if (w.end - w.start === w.buffer.byteLength) slide(w, lo);
      const at = w.end - w.start;
      const next = await w.reader
        .read(new Uint8Array(w.buffer, at, w.buffer.byteLength - at))
        .catch((e: unknown) => {
          w.failed = blobReadFailure(e, this.#file instanceof File ? this.#file.name : undefined);
          throw w.failed;
        });
      // The stream takes the buffer and hands it back filled (a transfer, not a copy).
      if (next.value !== undefined) {
        w.buffer = next.value.buffer as ArrayBuffer;
        w.end += next.value.byteLength;
      }
      if (next.done) w.ended = true;
    }
    this.#buffers[s] = w.buffer;
  }
}

/**
 * Moves the bytes of `w` from file position `lo` on (those read so far) to the start of its
 * buffer, dropping the ones before: the window then starts at `lo` (or at its end, when it has
 * not reached `lo` yet and holds nothing worth keeping).
 */
function slide(w: Window, lo: number): void {
  if (w.end > lo) new Uint8Array(w.buffer).copyWithin(0, lo - w.start, w.end - w.start);
  w.start = Math.min(lo, w.end);
}
