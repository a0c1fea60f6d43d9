import { ioError } from '../io/ioError.js';
import { HeaderType } from './arrowTypeIds.js';
import { ipcCorrupt, ipcFileCorrupt, ipcTruncated } from './ipcErrors.js';
import {
  blockMetadata,
  checkBlock,
  checkBodyLength,
  checkFileSize,
  FILE_TAIL_BYTES,
  metadataLength,
  PREFIX_BYTES,
  footerLength as readFooterLength,
  StreamOrder,
  startsMessage,
} from './ipcFraming.js';
import { footerMetadata, type IpcField, messageMetadata, type RecordBatchHeader } from './ipcMetadata.js';

/**
 * An open file read at positions (a `node:fs/promises` `FileHandle` is one), so scanning needs
 * no Node API of its own.
 */
export interface PositionalFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** A record batch found in an Arrow IPC file or stream: its header, and where its body is. */
export interface IpcBatchAt {
  readonly header: RecordBatchHeader;
  readonly bodyOffset: number;
  readonly bodyLength: number;
  /**
   * Where a scan can start at this batch (see the `seek` argument of the scans): a stream's message
   * offset, a file's record-batch block index.
   */
  readonly seek: number;
  /**
   * Where an Arrow IPC file's batch message starts (its footer block's offset), so a reader can
   * copy the whole message; set by {@link scanIpcFile} only.
   */
  readonly messageOffset?: number;
}

/** What scanning an IPC input finds: the schema's fields, then its record batches on demand. */
export interface IpcScan {
  readonly fields: readonly IpcField[];
  /** `MetadataVersion` of the schema (4 is V5). */
  readonly version: number;
  /** A stream's schema message metadata (the flatbuffer), for a full decoder; a file's is in {@link footer}. */
  readonly schemaMessage: Uint8Array | undefined;
  /** A file's footer flatbuffer, which holds its schema (for a full decoder); `undefined` for a stream. */
  readonly footer: Uint8Array | undefined;
  /** The record batches in order, empty ones included; reads only message headers, never bodies. */
  batches(): AsyncGenerator<IpcBatchAt, void, undefined>;
}

/** Bytes read at each message start: the prefix and, almost always, the whole metadata. */
const HEAD = 4096;

/**
 * Scans an Arrow IPC stream in a regular file message by message, reading each message's prefix
 * and metadata and skipping its body, so a worker can read the body itself. It frames and checks
 * the messages as the in-thread reader does (the same framer, decoder and stream order): the
 * schema first, then only record and dictionary batches (passed over: tensor columns are never
 * dictionary-encoded), then the end-of-stream marker with nothing after it; a stream ending
 * without the marker is `TRUNCATED` unless `allowMissingEnd`. A scan from `seek` counts the
 * `recordBatchesBefore` record batch messages before it (empty ones too) in the errors that say how
 * many record batches came before, so they say what a scan from the start says.
 *
 * @example
 * const scan = await scanIpcStream(handle, size, 'log.arrows', false);
 * for await (const { header, bodyOffset } of scan.batches()) plan(header, bodyOffset);
 */
export async function scanIpcStream(
  handle: PositionalFile,
  size: number,
  file: string,
  allowMissingEnd: boolean,
  seek?: number,
  recordBatchesBefore = 0,
): Promise<IpcScan> {
  const head = new Uint8Array(HEAD);
  const order = new StreamOrder(file, 'file', allowMissingEnd);
  let position = 0;
  /** The message at `position` (checked and counted), or undefined at the end of the stream. */
  const next = async (): Promise<
    { metadata: Uint8Array; bodyOffset: number; message: ReturnType<typeof messageMetadata> } | undefined
  > => {
    const start = position;
    lastStart = start;
    if (position >= size) {
      const error = order.endWithoutMarker(position);
      if (error !== undefined) throw error;
      return undefined;
    }
    const got = await readAt(handle, head, 0, Math.min(HEAD, size - position), position, file);
    if (got < PREFIX_BYTES) throw ipcTruncated(file, 'file', position);
    const length = metadataLength(head, file);
    if (length === 0) {
      if (position + PREFIX_BYTES < size) throw order.bytesAfterEnd(position, size - position - PREFIX_BYTES);
      return undefined;
    }
    if (position + PREFIX_BYTES + length > size) throw ipcTruncated(file, 'file', position);
    let metadata: Uint8Array;
    if (PREFIX_BYTES + length <= got) metadata = head.slice(PREFIX_BYTES, PREFIX_BYTES + length);
    else {
      metadata = new Uint8Array(length);
      if ((await readAt(handle, metadata, 0, length, position + PREFIX_BYTES, file)) < length)
        throw ipcTruncated(file, 'file', position);
    }
    const message = messageMetadata(metadata, file, { checkLengths: true });
    order.accept(message.headerType, { at: start });
    checkBodyLength(message.bodyLength, file);
    const bodyOffset = position + PREFIX_BYTES + length;
    if (bodyOffset + message.bodyLength > size) throw ipcTruncated(file, 'file', start);
    position = bodyOffset + message.bodyLength;
    return { metadata, bodyOffset, message };
  };
  let lastStart = 0;
  const first = await next();
  if (first === undefined) throw ipcTruncated(file, 'file', position);
  // A part's batches (found by an earlier scan): the messages before them are not read.
  if (seek !== undefined && seek > position) {
    position = seek;
    order.recordBatches = recordBatchesBefore;
  }
  return {
    fields: first.message.fields ?? [],
    version: first.message.version,
    schemaMessage: first.metadata,
    footer: undefined,
    async *batches() {
      for (;;) {
        const m = await next();
        if (m === undefined) return;
        if (m.message.batch !== undefined) {
          yield {
            header: m.message.batch,
            bodyOffset: m.bodyOffset,
            bodyLength: m.message.bodyLength,
            seek: lastStart,
          };
        }
      }
    },
  };
}

/**
 * Scans an Arrow IPC file: its footer lists the record batches, and only each batch's metadata is
 * read, at its offset, so a worker can read the body itself.
 *
 * @example
 * const scan = await scanIpcFile(handle, size, 'log.arrow');
 */
export async function scanIpcFile(
  handle: PositionalFile,
  size: number,
  file: string,
  seek = 0,
): Promise<IpcScan> {
  checkFileSize(size, file);
  const tail = new Uint8Array(FILE_TAIL_BYTES);
  await readAt(handle, tail, 0, FILE_TAIL_BYTES, size - FILE_TAIL_BYTES, file);
  const footerLength = readFooterLength(tail, size, file);
  const footerEnd = size - FILE_TAIL_BYTES;
  const footer = new Uint8Array(footerLength);
  if ((await readAt(handle, footer, 0, footerLength, footerEnd - footerLength, file)) < footerLength) {
    throw ipcTruncated(file, 'file', footerEnd - footerLength);
  }
  const { version, fields, recordBatches } = footerMetadata(footer, file);
  const dataEnd = footerEnd - footerLength;
  return {
    fields,
    version,
    schemaMessage: undefined,
    footer,
    async *batches() {
      for (const [i, block] of recordBatches.entries()) {
        // A part's batches (found by an earlier scan): the blocks before them are not read.
        if (i < seek) continue;
        checkBlock(block, dataEnd, file, `record batch ${i}`);
        const head = new Uint8Array(block.metaDataLength);
        if ((await readAt(handle, head, 0, head.length, block.offset, file)) < head.length) {
          throw ipcTruncated(file, 'file', block.offset);
        }
        const metadata = blockMetadata(head, file, `record batch ${i}`);
        const message = messageMetadata(metadata, file, { checkLengths: true });
        const bodyOffset = block.offset + block.metaDataLength;
        if (message.headerType !== HeaderType.RECORD_BATCH || message.batch === undefined) {
          throw ipcFileCorrupt(file, `record batch ${i} listed in the footer is not a record batch message`);
        }
        if (bodyOffset + message.bodyLength > dataEnd) {
          throw ipcFileCorrupt(file, `record batch ${i}'s body extends past the file's data`);
        }
        yield {
          header: message.batch,
          bodyOffset,
          bodyLength: message.bodyLength,
          seek: i,
          messageOffset: block.offset,
        };
      }
    },
  };
}

/** Reads until `length` bytes are in `target` at `offset`, or the file ends; returns the count. */
async function readAt(
  handle: PositionalFile,
  target: Uint8Array,
  offset: number,
  length: number,
  position: number,
  file: string,
): Promise<number> {
  let done = 0;
  while (done < length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(target, offset + done, length - done, position + done));
    } catch (e) {
      throw ioError(e, file);
    }
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * The schema and record batches of an Arrow IPC stream held in memory (as a decoder produced it),
 * with each batch's body as offsets into `bytes`. Ends at the end-of-stream marker or the bytes.
 *
 * @example
 * const { fields, batches } = scanIpcBytes(ipc, 'log.parquet');
 */
export function scanIpcBytes(
  bytes: Uint8Array,
  file: string,
): { fields: readonly IpcField[]; version: number; batches: IpcBatchAt[] } {
  let position = 0;
  let fields: readonly IpcField[] | undefined;
  let version = 0;
  const batches: IpcBatchAt[] = [];
  while (position + PREFIX_BYTES <= bytes.length && startsMessage(bytes, position)) {
    const length = metadataLength(bytes.subarray(position, position + PREFIX_BYTES), file);
    if (length === 0) break;
    if (position + PREFIX_BYTES + length > bytes.length) throw ipcTruncated(file, 'file', position);
    const bodyOffset = position + PREFIX_BYTES + length;
    const message = messageMetadata(bytes.subarray(position + PREFIX_BYTES, bodyOffset), file, {
      checkLengths: true,
    });
    if (bodyOffset + message.bodyLength > bytes.length) throw ipcTruncated(file, 'file', position);
    if (message.fields !== undefined && fields === undefined) {
      fields = message.fields;
      version = message.version;
    } else if (message.batch !== undefined) {
      batches.push({ header: message.batch, bodyOffset, bodyLength: message.bodyLength, seek: position });
    }
    position = bodyOffset + message.bodyLength;
  }
  if (fields === undefined) throw ipcCorrupt(file, 'the decoded row group has no schema');
  return { fields, version, batches };
}
