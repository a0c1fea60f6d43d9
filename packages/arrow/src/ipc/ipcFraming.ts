/**
 * How Arrow IPC frames its messages, for every reader of IPC bytes (the in-thread stream and file
 * readers, the worker pool's scans): the 8-byte prefix (continuation marker, metadata length), the
 * end-of-stream marker, the body that follows the metadata, an IPC file's magic, footer and
 * blocks, the limits past which a length is damage, and the order of a stream's messages.
 * Universal: it reads bytes it is given, never a file.
 */
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { HeaderType, headerTypeName } from './arrowTypeIds.js';
import {
  CUT_SHORT_HINT,
  DAMAGED_IPC_FILE_HINT,
  ipcCorrupt,
  ipcTruncated,
  recordBatchCount,
} from './ipcErrors.js';

/** Larger metadata than this is not a real schema or batch header but a damaged length. */
export const MAX_METADATA = 64 * 1024 * 1024;
/** Larger bodies than this are damaged lengths (and more than one buffer can hold). */
export const MAX_BODY = 2 ** 31 - 1;
/** A message prefix: the continuation marker `0xFFFFFFFF`, then the metadata length. */
export const PREFIX_BYTES = 8;
/** The end-of-stream marker: a prefix declaring no metadata. */
export const END_OF_STREAM: Uint8Array = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);
/** An IPC file ends with its footer length and `ARROW1`. */
export const FILE_TAIL_BYTES = 10;
/** `ARROW1` magic, its padding, the footer length and the closing `ARROW1`. */
export const MIN_FILE_BYTES = 8 + 4 + 6;

/** Whether the bytes at `at` start with the continuation marker. */
export function startsMessage(bytes: Uint8Array, at: number): boolean {
  return (
    at + 4 <= bytes.length &&
    bytes[at] === 0xff &&
    bytes[at + 1] === 0xff &&
    bytes[at + 2] === 0xff &&
    bytes[at + 3] === 0xff
  );
}

/**
 * The metadata length an 8-byte message prefix declares; 0 is the end-of-stream marker.
 *
 * @throws {ArrowReadError} `CORRUPT` without the continuation marker or for an impossible length.
 * @example
 * const length = metadataLength(await bytes.read(8), 'log.arrows');
 */
export function metadataLength(prefix: Uint8Array, file: string): number {
  if (!startsMessage(prefix, 0)) {
    throw ipcCorrupt(file, 'a message does not start with the continuation marker 0xFFFFFFFF');
  }
  const length = new DataView(prefix.buffer, prefix.byteOffset, PREFIX_BYTES).getInt32(4, true);
  if (length < 0 || length > MAX_METADATA)
    throw ipcCorrupt(file, `a message declares ${length} bytes of metadata`);
  return length;
}

/** Throws `CORRUPT` for a body longer than any one message can hold. */
export function checkBodyLength(bodyLength: number, file: string): void {
  if (bodyLength > MAX_BODY) throw ipcCorrupt(file, `a message declares a body of ${bodyLength} bytes`);
}

/**
 * A framed message (prefix, metadata padded to 8 bytes), as a stream holds it.
 *
 * @example
 * const schemaMessage = frameMessage(Message.encode(Message.from(schema)));
 */
export function frameMessage(metadata: Uint8Array): Uint8Array {
  const padded = (metadata.length + 7) & ~7;
  const out = new Uint8Array(PREFIX_BYTES + padded);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, padded, true);
  out.set(metadata, PREFIX_BYTES);
  return out;
}

/** A footer block: where one message of an IPC file is. */
export interface IpcBlock {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

/**
 * The footer length from an IPC file's last {@link FILE_TAIL_BYTES} bytes, after checking the
 * file's size, its closing magic and that the footer fits.
 *
 * @example
 * const length = footerLength(tail, size, 'log.arrow');
 */
export function footerLength(tail: Uint8Array, size: number, file: string): number {
  if (!isMagic(tail, 4)) {
    throw new ArrowReadError('TRUNCATED', 'the file does not end with the ARROW1 marker after its footer', {
      file,
      hint: 'The file was cut short or is still being written: copy it again once its writer has closed it.',
    });
  }
  const length = new DataView(tail.buffer, tail.byteOffset, FILE_TAIL_BYTES).getInt32(0, true);
  if (length <= 0 || length > size - FILE_TAIL_BYTES - 8) {
    throw ipcCorrupt(file, `the footer length ${length} does not fit in a file of ${size} bytes`, {
      hint: DAMAGED_IPC_FILE_HINT,
    });
  }
  return length;
}

/** Throws `TRUNCATED` for a file too short to be an IPC file. */
export function checkFileSize(size: number, file: string): void {
  if (size < MIN_FILE_BYTES) {
    throw new ArrowReadError(
      'TRUNCATED',
      `an Arrow IPC file needs at least ${MIN_FILE_BYTES} bytes, this one has ${size}`,
      {
        file,
        hint: CUT_SHORT_HINT,
      },
    );
  }
}

/** Throws `CORRUPT` unless a footer block (`what`, e.g. 'record batch 3') lies in the file's data. */
export function checkBlock(block: IpcBlock, dataEnd: number, file: string, what: string): void {
  if (
    !(block.offset >= 8) ||
    !(block.metaDataLength >= 8) ||
    !(block.bodyLength >= 0) ||
    block.offset + block.metaDataLength + block.bodyLength > dataEnd
  ) {
    throw ipcCorrupt(file, `the footer places ${what} outside the file's data`, {
      hint: DAMAGED_IPC_FILE_HINT,
    });
  }
}

/**
 * The metadata of a file block's message (`head`: the block's first `metaDataLength` bytes),
 * after its prefix: the continuation marker and length, or the length alone (before Arrow 0.15).
 */
export function blockMetadata(head: Uint8Array, file: string, what: string): Uint8Array {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const prefix = startsMessage(head, 0) ? 8 : 4;
  const length = head.length >= prefix ? view.getInt32(prefix - 4, true) : 0;
  if (!(length > 0) || prefix + length > head.length) {
    throw ipcCorrupt(file, `${what}'s metadata length ${length} does not fit its block`, {
      hint: DAMAGED_IPC_FILE_HINT,
    });
  }
  return head.subarray(prefix, prefix + length);
}

/**
 * The order of a stream's messages: one schema first, then only record and dictionary batches,
 * then the end-of-stream marker with nothing after it. apache-arrow would take a second schema as
 * the start of a new stream, and pass over or stop at other header types, so a stream would end
 * early, or lose batches, without an error.
 */
export class StreamOrder {
  /** Messages accepted so far (the schema, dictionaries, record batches). */
  messages = 0;
  /** Record batch messages accepted so far. */
  recordBatches = 0;

  constructor(
    private readonly file: string,
    /** What ends in a truncation error: the in-thread 'stream' or a scanned 'file'. */
    private readonly input: 'stream' | 'file',
    private readonly allowMissingEnd: boolean,
  ) {}

  /**
   * Counts the next message, after checking its header type; `where` names it (the byte it starts
   * at, or a file's block), for the error.
   */
  accept(headerType: number, where: { at: number } | { block: true }): void {
    if (this.messages === 0) {
      if (headerType !== HeaderType.SCHEMA) {
        throw ipcCorrupt(
          this.file,
          `the stream starts with a message of header type ${headerTypeName(headerType)}, not its schema`,
        );
      }
    } else if (headerType !== HeaderType.RECORD_BATCH && headerType !== HeaderType.DICTIONARY_BATCH) {
      const after = recordBatchCount(this.recordBatches);
      // An IPC file's blocks are read as one stream whose offsets are not the file's: name the block.
      const message =
        'block' in where
          ? `the message of record batch block ${this.recordBatches} (after ${after})`
          : `the message at byte ${where.at} (after ${after})`;
      throw ipcCorrupt(
        this.file,
        headerType === HeaderType.SCHEMA
          ? `${message} is a second schema: a stream has one schema, first`
          : `${message} has header type ${headerTypeName(headerType)}: only record batches and dictionary batches follow the schema`,
      );
    }
    this.messages++;
    if (headerType === HeaderType.RECORD_BATCH) this.recordBatches++;
  }

  /**
   * The input ended between two messages, at byte `at`, without the end-of-stream marker: fine
   * when allowed after a complete message, else the error to throw (a writer that closes a stream
   * properly writes the marker first; without it, the writer was most likely killed mid-way).
   */
  endWithoutMarker(at: number): ArrowReadError | undefined {
    if (this.messages === 0) return ipcTruncated(this.file, this.input, at);
    if (this.allowMissingEnd) return undefined;
    return new ArrowReadError(
      'TRUNCATED',
      `the stream ends after ${recordBatchCount(this.recordBatches)}, at byte ${at}, without the end-of-stream marker`,
      {
        file: this.file,
        hint: 'The writer may have been killed before it closed the stream: copy the file again once it is complete. If your writer closes streams without the marker, pass allowMissingEndOfStream: true.',
      },
    );
  }

  /** Bytes (`extra` of them, when known) follow the end-of-stream marker at byte `at`. */
  bytesAfterEnd(at: number, extra: number | undefined): ArrowReadError {
    return ipcCorrupt(
      this.file,
      `${extra !== undefined ? `${extra} bytes follow` : 'bytes follow'} the end-of-stream marker at byte ${at}, after ${recordBatchCount(this.recordBatches)}`,
      { hint: BYTES_AFTER_END_HINT },
    );
  }
}

/** Most often two streams joined (`cat a.arrows b.arrows | …`), which a reader cannot split safely. */
const BYTES_AFTER_END_HINT =
  'Two Arrow IPC streams concatenated (cat a.arrows b.arrows) are not one stream: pass them as separate files (lossflow eval a.arrows b.arrows). Otherwise the file is damaged: export it again.';

function isMagic(b: Uint8Array, at: number): boolean {
  return (
    b[at] === 0x41 &&
    b[at + 1] === 0x52 &&
    b[at + 2] === 0x52 &&
    b[at + 3] === 0x4f &&
    b[at + 4] === 0x57 &&
    b[at + 5] === 0x31
  );
}
