import {
  type AsyncRecordBatchStreamReader,
  type Data,
  type RecordBatch,
  RecordBatchReader,
} from 'apache-arrow';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { changeCheckedReader } from '../format/changeCheckedReader.js';
import type { FormatReader } from '../format/FormatReader.js';
import { BlockByteReader } from '../io/BlockByteReader.js';
import type { ByteReader } from '../io/ByteReader.js';
import { HeaderType } from './arrowTypeIds.js';
import { CUT_SHORT_HINT, DAMAGED_IPC_HINT, ipcTruncated } from './ipcErrors.js';
import { checkBodyLength, metadataLength, PREFIX_BYTES, StreamOrder } from './ipcFraming.js';
import { messageMetadata } from './ipcMetadata.js';

/** Options of {@link readIpcStream}. */
export interface IpcReadOptions {
  /** Read each record batch's body into the previous one's buffer (see `ReadOptions.reuseBuffers`). */
  reuseBuffers?: boolean;
  /** Accept a stream that ends after a complete message without the end-of-stream marker (see `ReadOptions`). */
  allowMissingEndOfStream?: boolean;
}

/**
 * Opens an Arrow IPC stream incrementally: apache-arrow decodes the messages, pulling exactly the
 * bytes each one needs from `bytes`, so a record batch body is read into a buffer of its own and
 * its columns are views of it. Only the batch being read is in memory.
 *
 * A stream must end with the end-of-stream marker (`0xFFFFFFFF 0x00000000`): the input ending
 * without it, inside a message or between two, is `TRUNCATED` (a writer killed mid-way leaves such
 * a file), unless `allowMissingEndOfStream` accepts an end after a complete message. Bytes after the
 * marker, a message other than a schema first, or anything but record and dictionary batches after
 * it are `CORRUPT`, as are other malformed bytes; a failing source (an I/O error, an abort) throws
 * its error rather than ending the stream early.
 *
 * A regular file written to while it is read fails with `CHANGED` (see `changeCheckedReader`).
 *
 * @example
 * const source = await readIpcStream(await openByteReader('log.arrows'));
 * for (let b = await source.next(); b; b = await source.next()) use(b);
 */
export async function readIpcStream(bytes: ByteReader, options: IpcReadOptions = {}): Promise<FormatReader> {
  return changeCheckedReader(bytes, () => openIpcStream(bytes, options));
}

async function openIpcStream(bytes: ByteReader, options: IpcReadOptions = {}): Promise<FormatReader> {
  const feed = new MessageFeed(
    bytes,
    options.reuseBuffers === true,
    options.allowMissingEndOfStream === true,
  );
  let reader: AsyncRecordBatchStreamReader;
  try {
    reader = (await RecordBatchReader.from(feed)) as AsyncRecordBatchStreamReader;
    await reader.open({ autoDestroy: false });
  } catch (e) {
    throw classify(e, bytes, feed, 'reading the schema message');
  }
  const schema = reader.schema;
  if (schema === undefined || schema === null || !reader.isStream()) {
    if (feed.error !== undefined) throw feed.error;
    throw feed.short
      ? new ArrowReadError('TRUNCATED', 'the stream ends before its schema message is complete', {
          file: bytes.name,
          hint: CUT_SHORT_HINT,
        })
      : new ArrowReadError('CORRUPT', 'the stream has no schema message', {
          file: bytes.name,
          hint: 'An Arrow IPC stream starts with its schema; the bytes are not a valid stream.',
        });
  }
  let done = false;
  // apache-arrow reads a message ahead (opening the stream reads the first batch's message too), so
  // the framer cannot tell when a batch is done with, and the message after a batch may fail before
  // the batch is handed out; the caller's next call can tell, and gets that failure.
  let handedOut: Set<ArrayBufferLike> | undefined;
  let failure: ArrowReadError | undefined;
  return {
    schema,
    bytesRead: () => bytes.bytesRead,
    async next(): Promise<RecordBatch | undefined> {
      if (failure !== undefined) {
        const e = failure;
        failure = undefined;
        throw e;
      }
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
      // apache-arrow ends quietly when its source fails; the feed remembers why. A batch it still
      // returns came from a whole message framed and checked before the failure (the feed serves
      // no part of a message it could not read whole): it is handed out, and the failure follows.
      if (feed.error !== undefined) {
        done = true;
        if (result.done === true) throw feed.error;
        failure = feed.error;
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

/**
 * The byte iterator apache-arrow reads from. It frames the stream itself, one message at a time
 * (length prefix, metadata, body), with the framer and metadata decoder the worker pool's scan
 * uses too (`ipcFraming.ts`, `ipcMetadata.ts`), so both refuse the same damage with the same
 * error: it checks each message's metadata before apache-arrow decodes it and its body length
 * against what remains, and then serves apache-arrow the message's bytes in
 * the pieces it asks for (`next(n)`), so a body reaches it as one buffer, never joined (copied).
 *
 * A failure (a short read, a malformed message, a failing source) ends the bytes and is kept in
 * `error`, for the reader to throw once apache-arrow has decoded what it holds: apache-arrow swallows
 * an error thrown by its source and ends the stream as if complete, and as it pulls a piece ahead of
 * the one it asked for, a throw would also lose the last whole message it was given.
 */
class MessageFeed implements AsyncIterableIterator<Uint8Array> {
  error: ArrowReadError | undefined;
  /** Set when the input ended inside a message. */
  short = false;
  /** The messages framed so far, in the order a stream allows. */
  private readonly order: StreamOrder;
  private pieces: Uint8Array[] = [];
  /** The body of the message whose metadata was served last, read only once apache-arrow asks for it. */
  private body: { length: number; record: boolean; messageBytes: number } | undefined;
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
    allowMissingEnd: boolean,
  ) {
    this.order = new StreamOrder(bytes.name, 'stream', allowMissingEnd);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  async next(n?: number): Promise<IteratorResult<Uint8Array>> {
    try {
      if (this.pieces.length === 0 && this.body !== undefined) await this.readBody(this.body);
      else if (this.pieces.length === 0 && !this.ended) await this.frame();
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
      return { done: true, value: undefined };
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    return { done: true, value: undefined };
  }

  /** Reads the next whole message (or the end-of-stream marker) into `pieces`. */
  private async frame(): Promise<void> {
    const { bytes } = this;
    const start = bytes.position;
    const prefix = await bytes.read(PREFIX_BYTES);
    if (prefix.length === 0) {
      // The input ends between two messages.
      const error = this.order.endWithoutMarker(start);
      if (error !== undefined) {
        if (error.code === 'TRUNCATED' && this.order.messages === 0) this.short = true;
        throw error;
      }
      this.ended = true;
      return;
    }
    if (prefix.length < PREFIX_BYTES) throw this.truncated();
    const length = metadataLength(prefix, bytes.name);
    if (length === 0) {
      // End-of-stream marker: the stream is complete, and nothing may follow it.
      const extra =
        bytes.follows === true
          ? ((await bytes.presentBytes?.()) ?? 0)
          : bytes.totalBytes !== undefined
            ? bytes.totalBytes - bytes.position
            : (await bytes.peek(1)).length;
      if (extra > 0)
        throw this.order.bytesAfterEnd(start, bytes.totalBytes !== undefined ? extra : undefined);
      this.ended = true;
      this.pieces = [prefix];
      return;
    }
    const remaining = bytes.totalBytes === undefined ? undefined : bytes.totalBytes - bytes.position;
    if (remaining !== undefined && length > remaining) throw this.truncated();
    const metadata = await bytes.read(length);
    if (metadata.length < length) throw this.truncated();
    const info = messageMetadata(metadata, bytes.name);
    this.order.accept(info.headerType, bytes instanceof BlockByteReader ? { block: true } : { at: start });
    const left = bytes.totalBytes === undefined ? undefined : bytes.totalBytes - bytes.position;
    if (left !== undefined && info.bodyLength > left) throw this.truncated();
    checkBodyLength(info.bodyLength, bytes.name);
    if (info.bodyLength > 0) {
      // The body is read when apache-arrow asks for it, not with the metadata: opening a stream
      // (its schema) makes apache-arrow read the first batch's metadata, and a body read with it
      // (and the next one prefetched) put two of the first batch in memory only to learn the schema.
      // The empty piece answers the piece apache-arrow's byte iterator asks for ahead of the one it
      // needs, so that look-ahead does not read the body either.
      this.body = {
        length: info.bodyLength,
        record: info.headerType === HeaderType.RECORD_BATCH,
        messageBytes: PREFIX_BYTES + length + info.bodyLength,
      };
      this.pieces = [prefix, metadata, new Uint8Array(0)];
      return;
    }
    this.pieces = [prefix, metadata];
    // apache-arrow's byte iterator asks for a piece ahead of the one it needs: an empty piece
    // answers that at once, so a followed file's last message is decoded before the next one has
    // been written (else it would wait for that next message).
    if (bytes.follows === true) this.pieces.push(new Uint8Array(0));
  }

  /** Reads the body of the message framed last into `pieces`, and prefetches the next message. */
  private async readBody(pending: { length: number; record: boolean; messageBytes: number }): Promise<void> {
    const { bytes } = this;
    this.body = undefined;
    const recycle = this.reuse && bytes.reuses;
    const spare = recycle ? this.free.pop() : undefined;
    const body = await bytes.read(pending.length, spare);
    if (body.length < pending.length) throw this.truncated();
    if (recycle) {
      if (spare !== undefined && spare.buffer !== body.buffer) this.free.push(spare);
      // Dictionaries (and the schema) outlive their message: their buffers are never reused.
      if (!pending.record) this.pinned.add(body.buffer);
      else this.inUse.set(body.buffer, (this.inUse.get(body.buffer) ?? 0) + 1);
    }
    // Read the next message (assumed the same size) while the caller works on this one.
    if (bytes.prefetch !== undefined) {
      const into = recycle ? this.free.pop() : undefined;
      if (!bytes.prefetch(pending.messageBytes, into) && into !== undefined) this.free.push(into);
    }
    this.pieces = [body];
    if (bytes.follows === true) this.pieces.push(new Uint8Array(0));
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
    return ipcTruncated(this.bytes.name, 'stream', this.bytes.position);
  }
}

/** An apache-arrow failure as the typed error it stands for. */
function classify(e: unknown, bytes: ByteReader, feed: MessageFeed, doing: string): ArrowReadError {
  if (feed.error !== undefined) return feed.error;
  if (e instanceof ArrowReadError) return e;
  if (feed.short) return ipcTruncated(bytes.name, 'stream', bytes.position);
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
    hint: DAMAGED_IPC_HINT,
  });
}
