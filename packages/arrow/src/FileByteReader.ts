import type { FileHandle } from 'node:fs/promises';
import { ArrowReadError } from './ArrowReadError.js';
import { type ByteReader, uninitialized } from './ByteReader.js';
import { ioError } from './ioError.js';

/** Reads smaller than this are served from one read-ahead buffer, so framing costs no extra syscalls. */
const READ_AHEAD = 64 * 1024;

/**
 * A {@link ByteReader} over a regular file through a `FileHandle`: sequential reads of a large size
 * go straight into a buffer of exactly that size (no second copy), small ones come from a read-ahead
 * buffer, and random access reads only the bytes asked for. Never holds more than one read's bytes.
 *
 * @example
 * const r = await FileByteReader.open('log.arrow');
 * const head = await r.peek(8);
 */
export class FileByteReader implements ByteReader {
  readonly path: string;
  readonly name: string;
  readonly totalBytes: number;
  bytesRead = 0;
  readonly reuses = true;
  ended = false;
  private handle: FileHandle | undefined;
  /** File offset of the next byte that `read` returns. */
  position = 0;
  /** Bytes from `position` on, already read (by read-ahead or prefetch). */
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferStart = 0;
  /** A background read that will become `buffer`. */
  private pending: Promise<void> | undefined;
  private readonly signal: AbortSignal | undefined;

  private constructor(path: string, handle: FileHandle, size: number, signal: AbortSignal | undefined) {
    this.path = path;
    this.name = path;
    this.handle = handle;
    this.totalBytes = size;
    this.signal = signal;
  }

  /** Opens `path`; `undefined` when it is not a regular file (a pipe, a device), which must be streamed. */
  static async open(path: string, signal?: AbortSignal): Promise<FileByteReader | undefined> {
    const { open } = await import('node:fs/promises');
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw ioError(e, path);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return undefined;
      }
      return new FileByteReader(path, handle, stat.size, signal);
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw ioError(e, path);
    }
  }

  prefetch(n: number, into?: Uint8Array): boolean {
    if (this.pending !== undefined || this.handle === undefined) return false;
    const available = this.buffer.length - this.bufferStart;
    const size = Math.min(n, this.totalBytes - this.position);
    if (size <= available) return false;
    const reused = into !== undefined && into.length >= size;
    const target: Uint8Array = reused ? into.subarray(0, size) : uninitialized(size);
    target.set(this.buffer.subarray(this.bufferStart));
    this.buffer = new Uint8Array(0);
    this.bufferStart = 0;
    const at = this.position + available;
    const pending = this.readFully(target, available, size - available, at).then((got) => {
      this.buffer = target.subarray(0, available + got);
      this.bufferStart = 0;
    });
    // Awaited by the next read; a failure that nobody reads again must not be unhandled.
    pending.catch(() => undefined);
    this.pending = pending;
    return reused;
  }

  async peek(n: number): Promise<Uint8Array> {
    await this.settle();
    // Only what is asked: a file read by random access next must not count a read-ahead it never uses.
    await this.fill(n, n);
    const available = this.buffer.length - this.bufferStart;
    return this.buffer.slice(this.bufferStart, this.bufferStart + Math.min(n, available));
  }

  async read(n: number, reuse?: Uint8Array): Promise<Uint8Array> {
    await this.settle();
    const available = this.buffer.length - this.bufferStart;
    if (n >= READ_AHEAD && n <= available) {
      // A body that was prefetched: a view, not a copy.
      const out = this.buffer.subarray(this.bufferStart, this.bufferStart + n);
      this.bufferStart += n;
      this.position += n;
      return out;
    }
    if (n <= available || n < READ_AHEAD) {
      if (n > available) await this.fill(n);
      const take = Math.min(n, this.buffer.length - this.bufferStart);
      // A copy, so a small message does not pin the whole read-ahead buffer for the batch's lifetime.
      const out =
        reuse !== undefined && reuse.length >= take ? reuse.subarray(0, take) : new Uint8Array(take);
      out.set(this.buffer.subarray(this.bufferStart, this.bufferStart + take));
      this.bufferStart += take;
      this.position += take;
      if (take < n) this.ended = true;
      return out;
    }
    const size = Math.max(0, Math.min(n, this.totalBytes - this.position));
    const out = reuse !== undefined && reuse.length >= size ? reuse.subarray(0, size) : uninitialized(size);
    out.set(this.buffer.subarray(this.bufferStart));
    const fileAt = this.position + available;
    this.buffer = new Uint8Array(0);
    this.bufferStart = 0;
    const got = available + (await this.readFully(out, available, out.length - available, fileAt));
    this.position += got;
    if (got < n) this.ended = true;
    return got === out.length ? out : out.subarray(0, got);
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const n = Math.max(0, Math.min(length, this.totalBytes - position));
    const got = await this.readFully(target, offset, n, position);
    if (got < length) this.ended = true;
    return got;
  }

  async close(): Promise<void> {
    await this.pending?.catch(() => undefined);
    const handle = this.handle;
    this.handle = undefined;
    this.buffer = new Uint8Array(0);
    this.bufferStart = 0;
    if (handle !== undefined) await handle.close().catch(() => undefined);
  }

  /** Waits for a background read to land in `buffer`. */
  private async settle(): Promise<void> {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    await pending;
  }

  /** Makes the read-ahead buffer hold at least `n` bytes from `position`, unless the file ends first. */
  private async fill(n: number, size = Math.max(n, READ_AHEAD)): Promise<void> {
    const available = this.buffer.length - this.bufferStart;
    if (available >= n) return;
    const next = new Uint8Array(Math.max(available, Math.min(size, this.totalBytes - this.position)));
    next.set(this.buffer.subarray(this.bufferStart));
    const got = await this.readFully(next, available, next.length - available, this.position + available);
    this.buffer = next.subarray(0, available + got);
    this.bufferStart = 0;
  }

  /** Reads until `length` bytes are in or the file ends (it may have shrunk since `stat`). */
  private async readFully(
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<number> {
    let done = 0;
    while (done < length) {
      if (this.signal?.aborted)
        throw new ArrowReadError('ABORTED', 'reading was aborted', { file: this.name });
      const handle = this.handle;
      if (handle === undefined)
        throw new ArrowReadError('CLOSED', 'the file was closed while reading', { file: this.name });
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(target, offset + done, length - done, position + done));
      } catch (e) {
        throw ioError(e, this.name);
      }
      if (bytesRead === 0) break;
      done += bytesRead;
      this.bytesRead += bytesRead;
    }
    return done;
  }
}
