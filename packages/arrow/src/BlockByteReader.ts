import { ArrowReadError } from './ArrowReadError.js';
import { type ByteReader, uninitialized } from './ByteReader.js';

/** A piece of the virtual stream: bytes in memory, or a range of the underlying file. */
export type Segment = { bytes: Uint8Array } | { at: number; length: number };

/**
 * A {@link ByteReader} over a sequence of segments of a random-access reader, read in order as if
 * they were one stream: how an Arrow IPC file's blocks, in footer order, become an IPC stream.
 * Large reads go straight from the file into their own buffer (or the one to reuse).
 *
 * @example
 * new BlockByteReader(file, [{ bytes: schemaMessage }, { at: block.offset, length: block.size }]);
 */
export class BlockByteReader implements ByteReader {
  readonly reuses: boolean;
  readonly path = undefined;
  readonly totalBytes: number;
  position = 0;
  ended = false;
  private segment = 0;
  /** Offset within the current segment. */
  private within = 0;

  constructor(
    private readonly base: ByteReader,
    private readonly segments: readonly Segment[],
  ) {
    this.reuses = base.reuses;
    this.totalBytes = segments.reduce((n, s) => n + lengthOf(s), 0);
  }

  get name(): string {
    return this.base.name;
  }

  get bytesRead(): number {
    return this.base.bytesRead;
  }

  async peek(n: number): Promise<Uint8Array> {
    const { segment, within, position, ended } = this;
    const out = await this.read(n);
    Object.assign(this, { segment, within, position, ended });
    return out;
  }

  async read(n: number, reuse?: Uint8Array): Promise<Uint8Array> {
    const size = Math.max(0, Math.min(n, this.totalBytes - this.position));
    const out = reuse !== undefined && reuse.length >= size ? reuse.subarray(0, size) : uninitialized(size);
    let done = 0;
    while (done < size) {
      const s = this.segments[this.segment]!;
      const take = Math.min(size - done, lengthOf(s) - this.within);
      if ('bytes' in s) out.set(s.bytes.subarray(this.within, this.within + take), done);
      else {
        const got = await this.base.readInto!(out, done, take, s.at + this.within);
        if (got < take) {
          throw new ArrowReadError(
            'TRUNCATED',
            `the file ends at byte ${s.at + this.within + got}, inside a block`,
            {
              file: this.name,
              hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
            },
          );
        }
      }
      done += take;
      this.within += take;
      if (this.within === lengthOf(s)) {
        this.segment++;
        this.within = 0;
      }
    }
    this.position += size;
    if (size < n) this.ended = true;
    return out;
  }

  close(): Promise<void> {
    return this.base.close();
  }
}

function lengthOf(s: Segment): number {
  return 'bytes' in s ? s.bytes.length : s.length;
}
