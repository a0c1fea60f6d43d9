/**
 * Anything `readBatches` can read, in any JavaScript runtime: bytes in memory, a `Blob` (a browser
 * `File`, read in slices), a web `ReadableStream`, or any (async) iterable of byte chunks (an HTTP
 * response body, a Node `Readable`). A file path is read by `readFile` from `@lossflow/arrow/node`.
 */
export type ByteSource =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

/**
 * The reading side of a {@link ByteSource}, as the format readers need it: sequential reads of an
 * exact size (so Arrow message bodies land in buffers of their own, uncopied), random access where
 * the source allows it, and a count of the bytes pulled from the source for progress.
 */
export interface ByteReader {
  /** The source as named in error messages: the path, `<bytes>` or `<stream>`. */
  readonly name: string;
  /** Size of the whole input, when known before reading it. */
  readonly totalBytes: number | undefined;
  /** Bytes pulled from the underlying file or stream so far (read-ahead included). */
  readonly bytesRead: number;
  /** Bytes consumed by `read` so far: where the next sequential read starts. */
  readonly position: number;
  /** Set once a read has met the end of the input. */
  readonly ended: boolean;
  /** Whether `read` honours `reuse`: its large reads then fill a buffer this reader owns, never the caller's memory. */
  readonly reuses: boolean;
  /**
   * Set for a file followed while it grows (`readFile`'s `follow`): its end is not known, so an
   * IPC stream's end-of-stream marker ends reading without waiting for bytes after it (a wait
   * would never end); bytes already there after it are still found, by `presentBytes`.
   */
  readonly follows?: boolean;
  /** For a followed file: how many unread bytes are there now, without waiting for more. */
  presentBytes?(): Promise<number>;
  /** The path of a regular file, else `undefined`. */
  readonly path: string | undefined;
  /**
   * The descriptor of a regular file open for reading, else `undefined`. Descriptors are
   * process-wide, so a worker thread reads the very file this reader has open through it, never
   * another file renamed over the path meanwhile; it stays open until `close()`.
   */
  readonly fd?: number | undefined;
  /**
   * Fails with `CHANGED` when the input is a regular file that was written to since it was opened
   * (see `FileByteReader.verifyUnchanged`); absent or a no-op for inputs that cannot change.
   */
  verifyUnchanged?(): Promise<void>;
  /** Up to `n` bytes at the current position, without consuming them. */
  peek(n: number): Promise<Uint8Array>;
  /**
   * The next `n` bytes: exactly `n`, fewer only when the input ends first. `reuse`, when it is
   * large enough, is filled instead of a new buffer (readers that copy may ignore it).
   */
  read(n: number, reuse?: Uint8Array): Promise<Uint8Array>;
  /**
   * Starts reading the next `n` bytes in the background (into `into` when it is large enough), so
   * the next `read` finds them ready: the file is read while the caller computes. A hint; readers
   * that cannot may ignore it. Returns whether `into` is being filled.
   */
  prefetch?(n: number, into?: Uint8Array): boolean;
  /** Random access (files and memory only): fills `target[offset, offset + length)` from `position`; returns the count. */
  readInto?(target: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

/** True for a web `ReadableStream` (it has `getReader`), which Node streams and plain iterables do not. */
export function isWebStream(source: unknown): source is ReadableStream<Uint8Array> {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as { getReader?: unknown }).getReader === 'function'
  );
}
