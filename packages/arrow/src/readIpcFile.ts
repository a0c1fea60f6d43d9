import {
  type AsyncRecordBatchFileReader,
  type FileHandle,
  Message,
  type RecordBatch,
  RecordBatchReader,
  type Schema,
} from 'apache-arrow';
import { ArrowReadError } from './ArrowReadError.js';
import type { BatchSource } from './BatchSource.js';
import { BlockByteReader, type Segment } from './BlockByteReader.js';
import type { ByteReader } from './ByteReader.js';
import { changeCheckedSource } from './changeCheckedSource.js';
import { MemoryByteReader } from './MemoryByteReader.js';
import { type IpcReadOptions, readIpcStream } from './readIpcStream.js';
import {
  FlatbufferError,
  type FooterInfo,
  type IpcBlock,
  type MessageInfo,
  verifyFooter,
  verifyMessage,
} from './verifyIpcMetadata.js';

/** `ARROW1` magic, its padding, the footer length and the closing `ARROW1`. */
const MIN_FILE_BYTES = 8 + 4 + 6;

/**
 * Opens an Arrow IPC file footer first and then reads it block by block: the footer (read from the
 * end) lists where each dictionary and record batch is, and those blocks, after a schema message
 * made from the footer's schema, are read in footer order through random access as one IPC stream
 * (by {@link readIpcStream}), so only the batch being read is in memory. A source without random
 * access (a stream) is first collected into memory, since the footer comes last.
 *
 * The footer is checked (flatbuffer bounds, every block inside the file) before apache-arrow
 * decodes it, each message as the stream reader frames it, and the number of batches against the
 * footer's: a cut-off file is `TRUNCATED`, inconsistent offsets are `CORRUPT`. apache-arrow alone
 * would stop early without an error on some of these, and run out of memory on others.
 *
 * A regular file written to while it is read fails with `CHANGED` (see `changeCheckedSource`).
 *
 * @example
 * const source = await readIpcFile(await openByteReader('log.arrow'));
 */
export async function readIpcFile(bytes: ByteReader, options: IpcReadOptions = {}): Promise<BatchSource> {
  return changeCheckedSource(bytes, () => openIpcFile(bytes, options));
}

async function openIpcFile(bytes: ByteReader, options: IpcReadOptions = {}): Promise<BatchSource> {
  let collected = 0;
  if (bytes.readInto === undefined || bytes.totalBytes === undefined) {
    bytes = await collect(bytes);
    collected = bytes.totalBytes!;
  }
  const size = bytes.totalBytes!;
  const file = bytes.name;
  if (size < MIN_FILE_BYTES) {
    throw new ArrowReadError(
      'TRUNCATED',
      `an Arrow IPC file needs at least ${MIN_FILE_BYTES} bytes, this one has ${size}`,
      {
        file,
        hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
      },
    );
  }
  const tail = new Uint8Array(10);
  await readExactly(bytes, tail, size - 10);
  if (!isMagic(tail, 4)) {
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
  const footerBytes = new Uint8Array(footerLength);
  await readExactly(bytes, footerBytes, footerEnd - footerLength);
  let blocks: FooterInfo;
  try {
    blocks = verifyFooter(footerBytes);
  } catch (e) {
    if (e instanceof FlatbufferError) throw corrupt(file, `the footer is malformed (${e.message})`);
    throw e;
  }
  const dataEnd = footerEnd - footerLength;
  for (const [kind, list] of [
    ['record batch', blocks.recordBatches],
    ['dictionary batch', blocks.dictionaries],
  ] as const) {
    list.forEach((block, i) => {
      if (
        !(block.offset >= 8) ||
        !(block.metaDataLength >= 8) ||
        !(block.bodyLength >= 0) ||
        block.offset + block.metaDataLength + block.bodyLength > dataEnd
      ) {
        throw corrupt(file, `the footer places ${kind} ${i} outside the file's data`);
      }
    });
  }
  // apache-arrow decodes the footer (the schema) and the dictionaries; the bytes already read and
  // checked here are served to it from memory.
  const cache = new ReadCache();
  cache.add(size - 10, tail);
  cache.add(footerEnd - footerLength, footerBytes);
  for (const [i, block] of blocks.dictionaries.entries()) {
    cache.add(block.offset, await checkedMetadata(bytes, block, 2, dataEnd, `dictionary batch ${i}`));
  }
  let schema: Schema;
  try {
    const reader = (await RecordBatchReader.from(
      fileHandle(bytes, size, cache),
    )) as AsyncRecordBatchFileReader;
    if (!reader.isFile()) throw new Error('not an Arrow IPC file');
    await reader.open({ autoDestroy: false });
    schema = reader.schema;
  } catch (e) {
    throw e instanceof ArrowReadError ? e : corrupt(file, `the footer cannot be decoded: ${messageOf(e)}`, e);
  }
  // The blocks in footer order, after a schema message, are an IPC stream: read them as one.
  const segments: Segment[] = [{ bytes: schemaMessage(schema) }];
  for (const block of [...blocks.dictionaries, ...blocks.recordBatches]) {
    segments.push({ at: block.offset, length: block.metaDataLength + block.bodyLength });
  }
  segments.push({ bytes: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]) });
  const stream = await readIpcStream(new BlockByteReader(bytes, segments), options);
  const count = blocks.recordBatches.length;
  let read = 0;
  return {
    schema,
    // A collected stream was read in full before the first batch.
    bytesRead: () => (collected > 0 ? collected : bytes.bytesRead),
    async next(): Promise<RecordBatch | undefined> {
      const batch = await stream.next();
      if (batch !== undefined) read++;
      else if (read !== count)
        throw corrupt(file, `the footer lists ${count} record batches but its blocks hold ${read}`);
      return batch;
    },
    close: () => stream.close(),
  };
}

/** A schema message (continuation marker, padded length, flatbuffer), as an IPC stream starts. */
function schemaMessage(schema: Schema): Uint8Array {
  const metadata = Message.encode(Message.from(schema));
  const padded = (metadata.length + 7) & ~7;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, padded, true);
  out.set(metadata, 8);
  return out;
}

/**
 * The reader as the `FileHandle` apache-arrow's file reader expects: it reads through the
 * {@link ByteReader} (so bytes are counted and aborts are seen) and never returns short reads,
 * which apache-arrow would retry forever.
 */
function fileHandle(bytes: ByteReader, size: number, cache: ReadCache): FileHandle {
  return {
    fd: -1,
    stat: async () => ({ size }),
    read: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
      const target = buffer.subarray(offset, offset + length);
      if (!cache.serve(target, position)) await readExactly(bytes, target, position);
      return { bytesRead: length, buffer };
    },
    close: async () => undefined,
  } as unknown as FileHandle;
}

/** A few byte ranges of the file kept in memory. */
class ReadCache {
  private ranges: { at: number; bytes: Uint8Array }[] = [];
  add(at: number, bytes: Uint8Array): void {
    this.ranges.push({ at, bytes });
  }
  /** Fills `target` from a cached range that holds all of it; false when none does. */
  serve(target: Uint8Array, position: number): boolean {
    for (const { at, bytes } of this.ranges) {
      if (position >= at && position + target.length <= at + bytes.length) {
        target.set(bytes.subarray(position - at, position - at + target.length));
        return true;
      }
    }
    return false;
  }
}

/**
 * Reads a block's message prefix and metadata and checks them (the header type, the flatbuffer's
 * bounds, the body length against the file) before apache-arrow decodes them.
 */
async function checkedMetadata(
  bytes: ByteReader,
  block: IpcBlock,
  headerType: number,
  dataEnd: number,
  what: string,
): Promise<Uint8Array> {
  const head = new Uint8Array(block.metaDataLength);
  await readExactly(bytes, head, block.offset);
  const view = new DataView(head.buffer);
  const prefix = view.getInt32(0, true) === -1 ? 8 : 4;
  const length = view.getInt32(prefix - 4, true);
  if (!(length > 0) || prefix + length > head.length) {
    throw corrupt(bytes.name, `${what}'s metadata length ${length} does not fit its block`);
  }
  let info: MessageInfo;
  try {
    info = verifyMessage(head.subarray(prefix, prefix + length));
  } catch (e) {
    if (e instanceof FlatbufferError)
      throw corrupt(bytes.name, `${what}'s metadata is malformed (${e.message})`);
    throw e;
  }
  if (info.headerType !== headerType)
    throw corrupt(bytes.name, `${what} is not the kind of message the footer says`);
  if (block.offset + block.metaDataLength + info.bodyLength > dataEnd) {
    throw corrupt(bytes.name, `${what}'s body extends past the file's data`);
  }
  return head;
}

async function readExactly(bytes: ByteReader, target: Uint8Array, position: number): Promise<void> {
  const got = await bytes.readInto!(target, 0, target.length, position);
  if (got < target.length) {
    throw new ArrowReadError('TRUNCATED', `the file ends at byte ${position + got}, inside a block`, {
      file: bytes.name,
      hint: 'The file was cut short: copy it again, or wait until its writer has closed it.',
    });
  }
}

/** Reads a whole stream into memory (an IPC file cannot be decoded before its footer, which comes last). */
async function collect(bytes: ByteReader): Promise<ByteReader> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await bytes.read(1 << 20);
    if (chunk.length === 0) break;
    chunks.push(chunk);
    total += chunk.length;
    if (chunk.length < 1 << 20) break;
  }
  await bytes.close();
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new MemoryByteReader(all, bytes.name);
}

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

function corrupt(file: string, detail: string, cause?: unknown): ArrowReadError {
  return new ArrowReadError('CORRUPT', detail, {
    file,
    hint: 'The bytes are damaged or not an Arrow IPC file: export the file again.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
