import {
  type AsyncRecordBatchStreamReader,
  type Data,
  type RecordBatch,
  RecordBatchReader,
} from 'apache-arrow';
import { ArrowReadError } from './ArrowReadError.js';
import type { BatchSource } from './BatchSource.js';
import type { ByteReader } from './ByteReader.js';
import { FlatbufferError, type MessageInfo, verifyMessage } from './verifyIpcMetadata.js';

/** Options of {@link readIpcStream}. */
export interface IpcReadOptions {
  /** Read each record batch's body into the previous one's buffer (see `ReadOptions.reuseBuffers`). */
  reuseBuffers?: boolean;
}

/**
 * Opens an Arrow IPC stream incrementally: apache-arrow decodes the messages, pulling exactly the
 * bytes each one needs from `bytes`, so a record batch body is read into a buffer of its own and
 * its columns are views of it. Only the batch being read is in memory.
 *
 * A stream may end after any complete message (the end-of-stream marker is optional in the Arrow
 * format); ending inside a message is `TRUNCATED`, malformed bytes are `CORRUPT`, and a failing
 * source (an I/O error, an abort) throws its error rather than ending the stream early.
 *
 * @example
 * const source = await readIpcStream(await openByteReader('log.arrows'));
 * for (let b = await source.next(); b; b = await source.next()) use(b);
 */
export async function readIpcStream(bytes: ByteReader, options: IpcReadOptions = {}): Promise<BatchSource> {
  const feed = new MessageFeed(bytes, options.reuseBuffers === true);
  let reader: AsyncRecordBatchStreamReader;
  try {
    reader = (await RecordBatchReader.from(feed)) as AsyncRecordBatchStreamReader;
    await reader.open({ autoDestroy: false });
  } catch (e) {
    throw classify(e, bytes, feed, 'reading the schema message');
  }
  if (feed.error !== undefined) throw feed.error;
  const schema = reader.schema;
  if (schema === undefined || schema === null || !reader.isStream()) {
    throw feed.short
      ? new ArrowReadError('TRUNCATED', 'the stream ends before its schema message is complete', {
          file: bytes.name,
          hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
        })
      : new ArrowReadError('CORRUPT', 'the stream has no schema message', {
          file: bytes.name,
          hint: 'An Arrow IPC stream starts with its schema; the bytes are not a valid stream.',
        });
  }
  let done = false;
  // apache-arrow reads a message ahead, so the framer cannot tell when a batch is done with; the
  // caller's next call can.
  let handedOut: Set<ArrayBufferLike> | undefined;
  return {
    schema,
    bytesRead: () => bytes.bytesRead,
    async next(): Promise<RecordBatch | undefined> {
      if (done) return undefined;
      if (handedOut !== undefined) feed.release(handedOut);
      handedOut = undefined;
      let result: IteratorResult<RecordBatch>;
      try {
        result = await reader.next();
      } catch (e) {
        done = true;
        throw classify(e, bytes, feed, 'reading a record batch');
      }
      // apache-arrow ends quietly when its source fails; the feed remembers why.
      if (feed.error !== undefined) {
        done = true;
        throw feed.error;
      }
      if (result.done === true) {
        done = true;
        return undefined;
      }
      if (options.reuseBuffers === true) handedOut = buffersOf(result.value.data);
      return result.value;
    },
    async close(): Promise<void> {
      done = true;
      await bytes.close();
    },
  };
}

/** The buffers a batch's columns are views of. */
function buffersOf(data: Data, into = new Set<ArrayBufferLike>()): Set<ArrayBufferLike> {
  for (const b of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as (
    | ArrayBufferView
    | undefined
  )[]) {
    if (b !== undefined && b !== null) into.add(b.buffer);
  }
  for (const child of data.children) buffersOf(child, into);
  return into;
}

/** Larger metadata than this is not a real schema or batch header but a damaged length. */
const MAX_METADATA = 64 * 1024 * 1024;

/**
 * The byte iterator apache-arrow reads from. It frames the stream itself, one message at a time
 * (length prefix, metadata, body), checks each message's metadata before apache-arrow decodes it
 * and its body length against what remains, and then serves apache-arrow the message's bytes in
 * the pieces it asks for (`next(n)`), so a body reaches it as one buffer, never joined (copied).
 *
 * apache-arrow swallows an error thrown by its source and ends the stream as if complete, so a
 * failure is also kept in `error`, for the reader to rethrow.
 */
class MessageFeed implements AsyncIterableIterator<Uint8Array> {
  error: ArrowReadError | undefined;
  /** Set when the input ended inside a message. */
  short = false;
  private pieces: Uint8Array[] = [];
  private ended = false;
  /** When buffers are reused: buffers holding record batches not yet released (with their count), … */
  private readonly inUse = new Map<ArrayBufferLike, number>();
  /** … buffers free to take the next ones, … */
  private free: Uint8Array[] = [];
  /** … and buffers that hold a dictionary, which must not be reused. */
  private readonly pinned = new WeakSet<ArrayBufferLike>();

  constructor(
    private readonly bytes: ByteReader,
    private readonly reuse: boolean,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  async next(n?: number): Promise<IteratorResult<Uint8Array>> {
    try {
      if (this.pieces.length === 0 && !this.ended) await this.frame();
      const head = this.pieces[0];
      if (head === undefined) return { done: true, value: undefined };
      const want = typeof n === 'number' && n > 0 && Number.isFinite(n) ? n : head.length;
      if (want >= head.length) {
        this.pieces.shift();
        return { done: false, value: head };
      }
      this.pieces[0] = head.subarray(want);
      return { done: false, value: head.subarray(0, want) };
    } catch (e) {
      this.error ??=
        e instanceof ArrowReadError ? e : new ArrowReadError('IO', String(e), { file: this.bytes.name });
      this.ended = true;
      this.pieces = [];
      throw this.error;
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    return { done: true, value: undefined };
  }

  /** Reads the next whole message (or the end-of-stream marker) into `pieces`. */
  private async frame(): Promise<void> {
    const { bytes } = this;
    const prefix = await bytes.read(8);
    if (prefix.length === 0) {
      this.ended = true;
      return;
    }
    if (prefix.length < 8) throw this.truncated();
    const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
    if (view.getInt32(0, true) !== -1) {
      throw corrupt(bytes, 'a message does not start with the continuation marker 0xFFFFFFFF');
    }
    const metadataLength = view.getInt32(4, true);
    if (metadataLength === 0) {
      // End-of-stream marker: anything after it is not part of the stream.
      this.ended = true;
      this.pieces = [prefix];
      return;
    }
    const remaining = bytes.totalBytes === undefined ? undefined : bytes.totalBytes - bytes.position;
    if (metadataLength < 0 || metadataLength > MAX_METADATA) {
      throw corrupt(bytes, `a message declares ${metadataLength} bytes of metadata`);
    }
    if (remaining !== undefined && metadataLength > remaining) throw this.truncated();
    const metadata = await bytes.read(metadataLength);
    if (metadata.length < metadataLength) throw this.truncated();
    let info: MessageInfo;
    try {
      info = verifyMessage(metadata);
    } catch (e) {
      if (e instanceof FlatbufferError)
        throw corrupt(bytes, `a message's metadata is malformed (${e.message})`);
      throw e;
    }
    const left = bytes.totalBytes === undefined ? undefined : bytes.totalBytes - bytes.position;
    if (left !== undefined && info.bodyLength > left) throw this.truncated();
    if (info.bodyLength > 2 ** 31 - 1)
      throw corrupt(bytes, `a message declares a body of ${info.bodyLength} bytes`);
    const recycle = this.reuse && bytes.reuses;
    const spare = recycle ? this.free.pop() : undefined;
    const body = info.bodyLength > 0 ? await bytes.read(info.bodyLength, spare) : new Uint8Array(0);
    if (body.length < info.bodyLength) throw this.truncated();
    if (recycle) {
      if (spare !== undefined && spare.buffer !== body.buffer) this.free.push(spare);
      // Dictionaries (and the schema) outlive their message: their buffers are never reused.
      if (info.headerType !== 3) this.pinned.add(body.buffer);
      else this.inUse.set(body.buffer, (this.inUse.get(body.buffer) ?? 0) + 1);
    }
    // Read the next message (assumed the same size) while the caller works on this one.
    if (bytes.prefetch !== undefined) {
      const into = recycle ? this.free.pop() : undefined;
      if (!bytes.prefetch(8 + metadataLength + info.bodyLength, into) && into !== undefined)
        this.free.push(into);
    }
    this.pieces = body.length > 0 ? [prefix, metadata, body] : [prefix, metadata];
  }

  /**
   * The caller is done with a batch that lies in `buffers` (it asked for the next one): a buffer no
   * other unreleased batch or dictionary lies in can take a later batch.
   */
  release(buffers: Iterable<ArrayBufferLike>): void {
    for (const buffer of buffers) {
      const count = this.inUse.get(buffer);
      if (count === undefined) continue;
      if (count > 1) {
        this.inUse.set(buffer, count - 1);
        continue;
      }
      this.inUse.delete(buffer);
      if (!this.pinned.has(buffer) && this.free.length < 2)
        this.free.push(new Uint8Array(buffer, 0, buffer.byteLength));
    }
  }

  private truncated(): ArrowReadError {
    this.short = true;
    return truncated(this.bytes);
  }
}

function corrupt(bytes: ByteReader, detail: string): ArrowReadError {
  return new ArrowReadError('CORRUPT', detail, {
    file: bytes.name,
    hint: 'The bytes are damaged or not Arrow IPC: export the file again.',
  });
}

function truncated(bytes: ByteReader): ArrowReadError {
  return new ArrowReadError('TRUNCATED', `the stream ends inside a message, after ${bytes.position} bytes`, {
    file: bytes.name,
    hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
  });
}

/** An apache-arrow failure as the typed error it stands for. */
function classify(e: unknown, bytes: ByteReader, feed: MessageFeed, doing: string): ArrowReadError {
  if (feed.error !== undefined) return feed.error;
  if (e instanceof ArrowReadError) return e;
  if (feed.short) return truncated(bytes);
  const message = e instanceof Error ? e.message : String(e);
  if (/compress|codec/i.test(message)) {
    return new ArrowReadError('UNSUPPORTED', `compressed Arrow IPC buffers cannot be read: ${message}`, {
      file: bytes.name,
      cause: e,
      hint: 'Write the file without IPC compression (e.g. pyarrow: IpcWriteOptions(compression=None)).',
    });
  }
  return new ArrowReadError('CORRUPT', `malformed Arrow IPC data while ${doing}: ${message}`, {
    file: bytes.name,
    cause: e,
    hint: 'The bytes are damaged or not Arrow IPC: export the file again.',
  });
}
