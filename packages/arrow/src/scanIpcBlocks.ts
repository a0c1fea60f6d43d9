import type { FileHandle } from 'node:fs/promises';
import { ArrowReadError } from './ArrowReadError.js';
import { ioError } from './ioError.js';
import { type IpcField, ipcFooter, ipcMessage, type RecordBatchHeader } from './ipcMessage.js';

/** A record batch found in an Arrow IPC file or stream: its header, and where its body is. */
export interface IpcBatchAt {
  readonly header: RecordBatchHeader;
  readonly bodyOffset: number;
  readonly bodyLength: number;
}

/** What scanning an IPC input finds: the schema's fields, then its record batches on demand. */
export interface IpcScan {
  readonly fields: readonly IpcField[];
  /** `MetadataVersion` of the schema (4 is V5). */
  readonly version: number;
  /** A stream's schema message metadata (the flatbuffer), for a full decoder; a file's is in its footer. */
  readonly schemaMessage: Uint8Array | undefined;
  /** The record batches in order, empty ones included; reads only message headers, never bodies. */
  batches(): AsyncGenerator<IpcBatchAt, void, undefined>;
}

/** Larger metadata than this is not a real schema or batch header but a damaged length. */
const MAX_METADATA = 64 * 1024 * 1024;
/** Bytes read at each message start: the prefix and, almost always, the whole metadata. */
const HEAD = 4096;

/**
 * Scans an Arrow IPC stream in a regular file message by message, reading each message's prefix
 * and metadata and skipping its body, so a worker can read the body itself. Its checks are the
 * in-thread reader's: the schema first, then only record and dictionary batches (passed over:
 * tensor columns are never dictionary-encoded), then the end-of-stream marker with nothing after
 * it; a stream ending without the marker is `TRUNCATED` unless `allowMissingEnd`.
 *
 * @example
 * const scan = await scanIpcStream(handle, size, 'log.arrows', false);
 * for await (const { header, bodyOffset } of scan.batches()) plan(header, bodyOffset);
 */
export async function scanIpcStream(
  handle: FileHandle,
  size: number,
  file: string,
  allowMissingEnd: boolean,
): Promise<IpcScan> {
  const head = new Uint8Array(HEAD);
  let position = 0;
  let batches = 0;
  /** The message at `position`, or undefined after the end-of-stream marker. */
  const next = async (): Promise<{ metadata: Uint8Array; bodyOffset: number } | undefined> => {
    if (position >= size) {
      if (allowMissingEnd && position > 0) return undefined;
      if (position === 0) throw truncated(file, position);
      throw new ArrowReadError(
        'TRUNCATED',
        `the stream ends after ${batches} record batches, at byte ${position}, without the end-of-stream marker`,
        {
          file,
          hint: 'The writer may have been killed before it closed the stream: copy the file again once it is complete. If your writer closes streams without the marker, pass allowMissingEndOfStream: true.',
        },
      );
    }
    const got = await readAt(handle, head, 0, Math.min(HEAD, size - position), position, file);
    if (got < 8) throw truncated(file, position);
    const view = new DataView(head.buffer, 0, got);
    if (view.getInt32(0, true) !== -1) {
      throw corrupt(file, 'a message does not start with the continuation marker 0xFFFFFFFF');
    }
    const length = view.getInt32(4, true);
    if (length === 0) {
      if (position + 8 < size) {
        throw corrupt(
          file,
          `${size - position - 8} bytes follow the end-of-stream marker at byte ${position}, after ${batches} record batches`,
        );
      }
      return undefined;
    }
    if (length < 0 || length > MAX_METADATA)
      throw corrupt(file, `a message declares ${length} bytes of metadata`);
    if (position + 8 + length > size) throw truncated(file, position);
    let metadata: Uint8Array;
    if (8 + length <= got) metadata = head.slice(8, 8 + length);
    else {
      metadata = new Uint8Array(length);
      if ((await readAt(handle, metadata, 0, length, position + 8, file)) < length)
        throw truncated(file, position);
    }
    return { metadata, bodyOffset: position + 8 + length };
  };
  const first = await next();
  if (first === undefined) throw truncated(file, position);
  const schema = ipcMessage(first.metadata, file);
  if (schema.fields === undefined) {
    throw corrupt(
      file,
      `the stream starts with a message of header type ${schema.headerType}, not its schema`,
    );
  }
  position = first.bodyOffset + schema.bodyLength;
  return {
    fields: schema.fields,
    version: schema.version,
    schemaMessage: first.metadata,
    async *batches() {
      for (;;) {
        const start = position;
        const m = await next();
        if (m === undefined) return;
        const message = ipcMessage(m.metadata, file);
        if (message.headerType !== RECORD_BATCH && message.headerType !== DICTIONARY_BATCH) {
          throw corrupt(
            file,
            `the message at byte ${start} (after ${batches} record batches) has header type ${message.headerType}: only record batches and dictionary batches follow the schema`,
          );
        }
        if (message.bodyLength > 2 ** 31 - 1)
          throw corrupt(file, `a message declares a body of ${message.bodyLength} bytes`);
        if (m.bodyOffset + message.bodyLength > size) throw truncated(file, start);
        position = m.bodyOffset + message.bodyLength;
        if (message.batch !== undefined) {
          batches++;
          yield { header: message.batch, bodyOffset: m.bodyOffset, bodyLength: message.bodyLength };
        }
      }
    },
  };
}

const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;

/**
 * Scans an Arrow IPC file: its footer lists the record batches, and only each batch's metadata is
 * read, at its offset, so a worker can read the body itself.
 *
 * @example
 * const scan = await scanIpcFile(handle, size, 'log.arrow');
 */
export async function scanIpcFile(handle: FileHandle, size: number, file: string): Promise<IpcScan> {
  if (size < 18) {
    throw new ArrowReadError('TRUNCATED', `an Arrow IPC file needs at least 18 bytes, this one has ${size}`, {
      file,
      hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
    });
  }
  const tail = new Uint8Array(10);
  await readAt(handle, tail, 0, 10, size - 10, file);
  if (new TextDecoder().decode(tail.subarray(4)) !== 'ARROW1') {
    throw new ArrowReadError('TRUNCATED', 'the file does not end with the ARROW1 marker after its footer', {
      file,
      hint: 'The file was cut short or is still being written: copy it again once its writer has closed it.',
    });
  }
  const footerLength = new DataView(tail.buffer).getInt32(0, true);
  const footerEnd = size - 10;
  if (footerLength <= 0 || footerLength > footerEnd - 8) {
    throw corrupt(file, `the footer length ${footerLength} does not fit in a file of ${size} bytes`);
  }
  const footer = new Uint8Array(footerLength);
  if ((await readAt(handle, footer, 0, footerLength, footerEnd - footerLength, file)) < footerLength) {
    throw truncated(file, footerEnd - footerLength);
  }
  const { version, fields, recordBatches } = ipcFooter(footer, file);
  const dataEnd = footerEnd - footerLength;
  return {
    fields,
    version,
    schemaMessage: undefined,
    async *batches() {
      for (const [i, block] of recordBatches.entries()) {
        if (
          !(block.offset >= 8) ||
          !(block.metaDataLength >= 8) ||
          block.offset + block.metaDataLength + block.bodyLength > dataEnd
        ) {
          throw corrupt(file, `the footer places record batch ${i} outside the file's data`);
        }
        const head = new Uint8Array(block.metaDataLength);
        if ((await readAt(handle, head, 0, head.length, block.offset, file)) < head.length) {
          throw truncated(file, block.offset);
        }
        const view = new DataView(head.buffer);
        const prefix = view.getInt32(0, true) === -1 ? 8 : 4;
        const length = view.getInt32(prefix - 4, true);
        if (!(length > 0) || prefix + length > head.length) {
          throw corrupt(file, `record batch ${i}'s metadata length ${length} does not fit its block`);
        }
        const message = ipcMessage(head.subarray(prefix, prefix + length), file);
        const bodyOffset = block.offset + block.metaDataLength;
        if (message.batch === undefined) {
          throw corrupt(file, `record batch ${i} listed in the footer is not a record batch message`);
        }
        if (bodyOffset + message.bodyLength > dataEnd) {
          throw corrupt(file, `record batch ${i}'s body extends past the file's data`);
        }
        yield { header: message.batch, bodyOffset, bodyLength: message.bodyLength };
      }
    },
  };
}

/** Reads until `length` bytes are in `target` at `offset`, or the file ends; returns the count. */
async function readAt(
  handle: FileHandle,
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

function corrupt(file: string, detail: string): ArrowReadError {
  return new ArrowReadError('CORRUPT', detail, {
    file,
    hint: 'The bytes are damaged or not Arrow IPC: export the file again.',
  });
}

function truncated(file: string, position: number): ArrowReadError {
  return new ArrowReadError('TRUNCATED', `the file ends inside a message, after ${position} bytes`, {
    file,
    hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
  });
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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  let fields: readonly IpcField[] | undefined;
  let version = 0;
  const batches: IpcBatchAt[] = [];
  while (position + 8 <= bytes.length && view.getInt32(position, true) === -1) {
    const length = view.getInt32(position + 4, true);
    if (length === 0) break;
    if (length < 0 || position + 8 + length > bytes.length) throw truncated(file, position);
    const message = ipcMessage(bytes.subarray(position + 8, position + 8 + length), file);
    const bodyOffset = position + 8 + length;
    if (bodyOffset + message.bodyLength > bytes.length) throw truncated(file, position);
    if (message.fields !== undefined && fields === undefined) {
      fields = message.fields;
      version = message.version;
    } else if (message.batch !== undefined) {
      batches.push({ header: message.batch, bodyOffset, bodyLength: message.bodyLength });
    }
    position = bodyOffset + message.bodyLength;
  }
  if (fields === undefined) throw corrupt(file, 'the decoded row group has no schema');
  return { fields, version, batches };
}
