import {
  type AsyncRecordBatchStreamReader,
  type Data,
  type RecordBatch,
  RecordBatchReader,
} from 'apache-arrow';
import { ArrowReadError } from './ArrowReadError.js';
import type { BatchSource } from './BatchSource.js';
import { BlockByteReader } from './BlockByteReader.js';
import type { ByteReader } from './ByteReader.js';
import { changeCheckedSource } from './changeCheckedSource.js';
import {
  FlatbufferError,
  HEADER_DICTIONARY_BATCH,
  HEADER_RECORD_BATCH,
  HEADER_SCHEMA,
  headerTypeName,
  type MessageInfo,
  verifyMessage,
} from './verifyIpcMetadata.js';

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
 * A regular file written to while it is read fails with `CHANGED` (see `changeCheckedSource`).
 *
 * @example
 * const source = await readIpcStream(await openByteReader('log.arrows'));
 * for (let b = await source.next(); b; b = await source.next()) use(b);
 */
export async function readIpcStream(bytes: ByteReader, options: IpcReadOptions = {}): Promise<BatchSource> {
  return changeCheckedSource(bytes, () => openIpcStream(bytes, options));
}

async function openIpcStream(bytes: ByteReader, options: IpcReadOptions = {}): Promise<BatchSource> {
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
          hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
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

/** Larger metadata than this is not a real schema or batch header but a damaged length. */
const MAX_METADATA = 64 * 1024 * 1024;

/**
 * The byte iterator apache-arrow reads from. It frames the stream itself, one message at a time
 * (length prefix, metadata, body), checks each message's metadata before apache-arrow decodes it
 * and its body length against what remains, and then serves apache-arrow the message's bytes in
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
  /** Messages framed so far (the schema, dictionaries, record batches). */
  private messages = 0;
  /** Record batch messages framed so far. */
  private recordBatches = 0;
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
    private readonly allowMissingEnd: boolean,
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
    const prefix = await bytes.read(8);
    if (prefix.length === 0) {
      // The input ends between two messages. A writer that closes the stream properly writes the
      // end-of-stream marker first; without it, the writer was most likely killed mid-way.
      if (!this.allowMissingEnd || this.messages === 0) throw this.missingEnd(start);
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
      // End-of-stream marker: the stream is complete, and nothing may follow it.
      const extra =
        bytes.totalBytes !== undefined ? bytes.totalBytes - bytes.position : (await bytes.peek(1)).length;
      if (extra > 0) {
        throw corrupt(
          bytes,
          `${bytes.totalBytes !== undefined ? `${extra} bytes follow` : 'bytes follow'} the end-of-stream marker at byte ${start}, after ${recordBatches(this.recordBatches)}`,
        );
      }
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
    this.checkHeaderType(info.headerType, start);
    this.messages++;
    if (info.headerType === HEADER_RECORD_BATCH) this.recordBatches++;
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
      if (info.headerType !== HEADER_RECORD_BATCH) this.pinned.add(body.buffer);
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

  /**
   * A stream is one schema message, then dictionary and record batches. apache-arrow would take a
   * second schema as the start of a new stream, and pass over or stop at other header types, so the
   * stream would end early, or lose batches, without an error.
   */
  private checkHeaderType(headerType: number, start: number): void {
    if (this.messages === 0) {
      if (headerType === HEADER_SCHEMA) return;
      throw corrupt(
        this.bytes,
        `the stream starts with a message of header type ${headerTypeName(headerType)}, not its schema`,
      );
    }
    if (headerType === HEADER_RECORD_BATCH || headerType === HEADER_DICTIONARY_BATCH) return;
    // An IPC file's blocks are read as one stream whose offsets are not the file's: name the block.
    const where =
      this.bytes instanceof BlockByteReader
        ? `the message of record batch block ${this.recordBatches} (after ${recordBatches(this.recordBatches)})`
        : `the message at byte ${start} (after ${recordBatches(this.recordBatches)})`;
    throw corrupt(
      this.bytes,
      headerType === HEADER_SCHEMA
        ? `${where} is a second schema: a stream has one schema, first`
        : `${where} has header type ${headerTypeName(headerType)}: only record batches and dictionary batches follow the schema`,
    );
  }

  private truncated(): ArrowReadError {
    this.short = true;
    return truncated(this.bytes);
  }

  /** The input ended between two messages, without the end-of-stream marker. */
  private missingEnd(at: number): ArrowReadError {
    if (this.messages === 0) return this.truncated();
    return new ArrowReadError(
      'TRUNCATED',
      `the stream ends after ${recordBatches(this.recordBatches)}, at byte ${at}, without the end-of-stream marker`,
      {
        file: this.bytes.name,
        hint: 'The writer may have been killed before it closed the stream: copy the file again once it is complete. If your writer closes streams without the marker, pass allowMissingEndOfStream: true.',
      },
    );
  }
}

function recordBatches(n: number): string {
  return n === 1 ? '1 record batch' : `${n} record batches`;
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
