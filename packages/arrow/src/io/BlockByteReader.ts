import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { ByteReader } from './ByteReader.js';
import { SequentialReader } from './SequentialReader.js';

/** A piece of the virtual stream: bytes in memory, or a range of the underlying file. */
export type Segment = { bytes: Uint8Array } | { at: number; length: number };

/**
 * A {@link ByteReader} over a sequence of segments of a random-access reader, read in order as if
 * they were one stream: how an Arrow IPC file's blocks, in footer order, become an IPC stream.
 * Reads as {@link SequentialReader} does them, so the next block is prefetched too.
 *
 * @example
 * new BlockByteReader(file, [{ bytes: schemaMessage }, { at: block.offset, length: block.size }]);
 */
export class BlockByteReader extends SequentialReader implements ByteReader {
  readonly reuses: boolean;
  readonly path = undefined;
  readonly totalBytes: number;
  /** Where each segment starts in the virtual stream. */
  private readonly starts: number[] = [];

  constructor(
    private readonly base: ByteReader,
    private readonly segments: readonly Segment[],
  ) {
    super();
    this.reuses = base.reuses;
    let at = 0;
    for (const s of segments) {
      this.starts.push(at);
      at += lengthOf(s);
    }
    this.totalBytes = at;
  }

  get name(): string {
    return this.base.name;
  }

  get bytesRead(): number {
    return this.base.bytesRead;
  }

  async close(): Promise<void> {
    await this.release();
    await this.base.close();
  }

  protected async fetch(target: Uint8Array, offset: number, length: number, at: number): Promise<number> {
    let done = 0;
    let i = this.segmentAt(at);
    while (done < length && i < this.segments.length) {
      const s = this.segments[i]!;
      const within = at + done - this.starts[i]!;
      const take = Math.min(length - done, lengthOf(s) - within);
      if ('bytes' in s) target.set(s.bytes.subarray(within, within + take), offset + done);
      else {
        const got = await this.base.readInto!(target, offset + done, take, s.at + within);
        if (got < take) {
          throw new ArrowReadError(
            'TRUNCATED',
            `the file ends at byte ${s.at + within + got}, inside a block`,
            {
              file: this.name,
              hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
            },
          );
        }
      }
      done += take;
      i++;
    }
    return done;
  }

  /** The segment holding virtual offset `at` (the segments are few: a footer's blocks). */
  private segmentAt(at: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function lengthOf(s: Segment): number {
  return 'bytes' in s ? s.bytes.length : s.length;
}
