import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { ByteReader } from './ByteReader.js';
import { blobReadFailure } from './blobReadFailure.js';

/** Bytes fetched from the blob at a time for small reads, so an Arrow message costs one slice, not three. */
const WINDOW = 1 << 20;

/**
 * A {@link ByteReader} over a `Blob` (a browser `File`): every read is a `slice(a, b).arrayBuffer()`,
 * so the blob is never loaded whole, and random access makes an Arrow IPC file or Parquet readable
 * without copying it first. Small reads are served from a window of up to 1 MiB that starts on an
 * 8-byte boundary of the blob, so Arrow buffers keep the alignment the format gives them.
 *
 * @example
 * const r = new BlobByteReader(input.files[0]);
 */
export class BlobByteReader implements ByteReader {
  readonly name: string;
  readonly path = undefined;
  readonly totalBytes: number;
  bytesRead = 0;
  readonly reuses = false;
  position = 0;
  ended = false;
  private blob: Blob | undefined;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    blob: Blob,
    name = '<blob>',
    private readonly signal?: AbortSignal,
  ) {
    this.blob = blob;
    this.name = name;
    this.totalBytes = blob.size;
  }

  async peek(n: number): Promise<Uint8Array> {
    return this.bytesAt(this.position, n);
  }

  async read(n: number): Promise<Uint8Array> {
    const out = await this.bytesAt(this.position, n);
    this.position += out.length;
    if (out.length < n) this.ended = true;
    return out;
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const src = await this.slice(position, position + length);
    target.set(src, offset);
    if (src.length < length) this.ended = true;
    return src.length;
  }

  async close(): Promise<void> {
    this.blob = undefined;
    this.window = new Uint8Array(0);
  }

  /** `n` bytes at `at` (fewer at the end): a view of the window when they fit in one, else a slice of their own. */
  private async bytesAt(at: number, n: number): Promise<Uint8Array> {
    const end = at + n;
    const inWindow = at >= this.windowStart && end <= this.windowStart + this.window.length;
    if (!inWindow) {
      if (n >= WINDOW) return this.slice(at, end);
      this.windowStart = at - (at % 8);
      this.window = await this.slice(this.windowStart, Math.max(end, this.windowStart + WINDOW));
    }
    return this.window.subarray(
      at - this.windowStart,
      Math.min(end, this.windowStart + this.window.length) - this.windowStart,
    );
  }

  private async slice(from: number, to: number): Promise<Uint8Array> {
    if (this.signal?.aborted) throw new ArrowReadError('ABORTED', 'reading was aborted', { file: this.name });
    const blob = this.blob;
    if (blob === undefined) throw new ArrowReadError('CLOSED', 'the reader was closed', { file: this.name });
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await blob.slice(from, Math.min(to, blob.size)).arrayBuffer());
    } catch (e) {
      throw blobReadFailure(e, this.name);
    }
    this.bytesRead += bytes.length;
    return bytes;
  }
}
