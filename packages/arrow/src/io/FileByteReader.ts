import type { FileHandle } from 'node:fs/promises';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { ByteReader } from './ByteReader.js';
import {
  checkFileVersionSync,
  type FileVersion,
  fileChangedError,
  fileVersion,
  settledStat,
  versionOf,
} from './fileVersion.js';
import { ioError } from './ioError.js';
import { SequentialReader } from './SequentialReader.js';

/**
 * A {@link ByteReader} over a regular file through a `FileHandle`: sequential reads as
 * {@link SequentialReader} does them (large ones straight into their own buffer, the next message
 * prefetched), and random access that reads only the bytes asked for.
 *
 * @example
 * const r = await FileByteReader.open('log.arrow');
 * const head = await r.peek(8);
 */
export class FileByteReader extends SequentialReader implements ByteReader {
  readonly path: string | undefined;
  readonly name: string;
  readonly totalBytes: number;
  bytesRead = 0;
  readonly reuses = true;
  private handle: FileHandle | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly releaseHandle: (handle: FileHandle) => Promise<void>;
  /** The file's version when it was opened, for {@link verifyUnchanged}; none for a private file. */
  private readonly version: FileVersion | undefined;
  /** The file's version when this reader closed (a reader may close as it reads its last bytes). */
  private closedVersion: FileVersion | undefined;

  private constructor(
    name: string,
    path: string | undefined,
    handle: FileHandle,
    size: number,
    signal: AbortSignal | undefined,
    release: (handle: FileHandle) => Promise<void>,
    version: FileVersion | undefined,
  ) {
    super();
    this.version = version;
    this.path = path;
    this.name = name;
    this.handle = handle;
    this.totalBytes = size;
    this.signal = signal;
    this.releaseHandle = release;
  }

  /** The descriptor of the open file: other threads read the same file through it (see `ByteReader.fd`). */
  get fd(): number | undefined {
    return this.handle?.fd;
  }

  /**
   * A reader over a file another owner opened (`handle`, of `size` bytes), named `name` in errors;
   * `close()` calls `release` instead of closing the handle, so the owner decides when the
   * descriptor goes (e.g. only after every thread reading through it has ended). With `version`
   * (the file's version when the owner opened it), {@link verifyUnchanged} checks against it;
   * without, the file is taken to be private (a spilled copy) and is not checked.
   */
  static over(
    name: string,
    handle: FileHandle,
    size: number,
    signal: AbortSignal | undefined,
    release: (handle: FileHandle) => Promise<void> = async () => undefined,
    version?: FileVersion,
  ): FileByteReader {
    return new FileByteReader(name, undefined, handle, size, signal, release, version);
  }

  /**
   * Opens `path` once: a regular file as a reader; anything else (a pipe, a device) as its open
   * handle, which the caller streams from. Never closed and reopened: a pipe's writer may write
   * and close between the two opens, and its bytes would go with the first.
   */
  static async open(path: string, signal?: AbortSignal): Promise<FileByteReader | FileHandle> {
    const { open } = await import('node:fs/promises');
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw ioError(e, path);
    }
    try {
      const stat = await settledStat(handle);
      if (!stat.isFile()) return handle;
      const version = versionOf(stat);
      return new FileByteReader(path, path, handle, Number(stat.size), signal, (h) => h.close(), version);
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw ioError(e, path);
    }
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const n = Math.max(0, Math.min(length, this.totalBytes - position));
    const got = await this.readFully(target, offset, n, position);
    if (got < length) this.ended = true;
    return got;
  }

  /**
   * Fails with `CHANGED` when the file is no longer the version this reader opened (rewritten in
   * place or appended to since): the format readers call it after each batch and before reporting
   * their end, so nothing read from two versions of a file is reported. After `close()`, checks the
   * version the file had when it closed.
   */
  async verifyUnchanged(): Promise<void> {
    const before = this.version;
    if (before === undefined) return;
    const handle = this.handle;
    if (handle !== undefined) return checkFileVersionSync(handle.fd, before, this.name);
    const after = this.closedVersion;
    const error = after === undefined ? undefined : fileChangedError(before, after, this.name);
    if (error !== undefined) throw error;
  }

  async close(): Promise<void> {
    await this.release();
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) return;
    if (this.version !== undefined) this.closedVersion = await fileVersion(handle).catch(() => undefined);
    await this.releaseHandle(handle).catch(() => undefined);
  }

  protected fetch(target: Uint8Array, offset: number, length: number, at: number): Promise<number> {
    return this.readFully(target, offset, length, at);
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
