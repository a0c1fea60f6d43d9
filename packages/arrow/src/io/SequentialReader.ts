import { uninitialized } from './uninitialized.js';

/** Reads smaller than this are served from one read-ahead buffer, so framing costs no extra syscalls. */
const READ_AHEAD = 64 * 1024;

/**
 * Sequential reading over anything that can fill a buffer from a position (a file, the blocks of an
 * IPC file): small reads come from a read-ahead buffer (copied, so a small message does not pin it),
 * large reads go straight into a buffer of their own (or the one to reuse) with no second copy, and
 * `prefetch` reads the next bytes in the background while the caller computes.
 *
 * @example
 * class Reader extends SequentialReader { protected fetch(t, o, n, at) { return fillFrom(t, o, n, at); } }
 */
export abstract class SequentialReader {
  abstract readonly totalBytes: number;
  /** Offset of the next byte that `read` returns. */
  position = 0;
  ended = false;
  /** Bytes from `position` on, already read (by read-ahead or prefetch). */
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferStart = 0;
  /** A background read that will become `buffer`. */
  private pending: Promise<void> | undefined;

  /** Fills `target[offset, offset + length)` from `at`; fewer bytes only at the end of the input. */
  protected abstract fetch(target: Uint8Array, offset: number, length: number, at: number): Promise<number>;

  prefetch(n: number, into?: Uint8Array): boolean {
    if (this.pending !== undefined) return false;
    const available = this.buffer.length - this.bufferStart;
    const size = Math.min(n, this.totalBytes - this.position);
    if (size <= available) return false;
    const reused = into !== undefined && into.length >= size;
    const target: Uint8Array = reused ? into.subarray(0, size) : uninitialized(size);
    target.set(this.buffer.subarray(this.bufferStart));
    this.buffer = new Uint8Array(0);
    this.bufferStart = 0;
    const pending = this.fetch(target, available, size - available, this.position + available).then((got) => {
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
    // Only what is asked: an input read by random access next must not count a read-ahead it never uses.
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
    const at = this.position + available;
    this.buffer = new Uint8Array(0);
    this.bufferStart = 0;
    const got = available + (await this.fetch(out, available, out.length - available, at));
    this.position += got;
    if (got < n) this.ended = true;
    return got === out.length ? out : out.subarray(0, got);
  }

  /** Waits for a background read, then drops the buffered bytes (before closing the input). */
  protected async release(): Promise<void> {
    await this.pending?.catch(() => undefined);
    this.pending = undefined;
    this.buffer = new Uint8Array(0);
    this.bufferStart = 0;
  }

  /** Waits for a background read to land in `buffer`. */
  private async settle(): Promise<void> {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    await pending;
  }

  /** Makes the read-ahead buffer hold at least `n` bytes from `position`, unless the input ends first. */
  private async fill(n: number, size = Math.max(n, READ_AHEAD)): Promise<void> {
    const available = this.buffer.length - this.bufferStart;
    if (available >= n) return;
    const next = new Uint8Array(Math.max(available, Math.min(size, this.totalBytes - this.position)));
    next.set(this.buffer.subarray(this.bufferStart));
    const got = await this.fetch(next, available, next.length - available, this.position + available);
    this.buffer = next.subarray(0, available + got);
    this.bufferStart = 0;
  }
}
