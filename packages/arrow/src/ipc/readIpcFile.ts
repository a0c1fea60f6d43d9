import {
  type AsyncRecordBatchFileReader,
  type FileHandle,
  Message,
  type RecordBatch,
  RecordBatchReader,
  type Schema,
} from 'apache-arrow';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { changeCheckedReader } from '../format/changeCheckedReader.js';
import type { FormatReader } from '../format/FormatReader.js';
import { BlockByteReader, type Segment } from '../io/BlockByteReader.js';
import type { ByteReader } from '../io/ByteReader.js';
import { MemoryByteReader } from '../io/MemoryByteReader.js';
import { HeaderType } from './arrowTypeIds.js';
import { ipcFileCorrupt } from './ipcErrors.js';
import {
  blockMetadata,
  checkBlock,
  checkFileSize,
  END_OF_STREAM,
  FILE_TAIL_BYTES,
  frameMessage,
  type IpcBlock,
  footerLength as readFooterLength,
} from './ipcFraming.js';
import { footerMetadata, type IpcFooter, messageMetadata } from './ipcMetadata.js';
import { type IpcReadOptions, readIpcStream } from './readIpcStream.js';

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
 * A regular file written to while it is read fails with `CHANGED` (see `changeCheckedReader`).
 *
 * @example
 * const source = await readIpcFile(await openByteReader('log.arrow'));
 */
export async function readIpcFile(bytes: ByteReader, options: IpcReadOptions = {}): Promise<FormatReader> {
  return changeCheckedReader(bytes, () => openIpcFile(bytes, options));
}

async function openIpcFile(bytes: ByteReader, options: IpcReadOptions = {}): Promise<FormatReader> {
  let collected = 0;
  if (bytes.readInto === undefined || bytes.totalBytes === undefined) {
    bytes = await collect(bytes);
    collected = bytes.totalBytes!;
  }
  const size = bytes.totalBytes!;
  const file = bytes.name;
  checkFileSize(size, file);
  const tail = new Uint8Array(FILE_TAIL_BYTES);
  await readExactly(bytes, tail, size - FILE_TAIL_BYTES);
  const footerLength = readFooterLength(tail, size, file);
  const footerEnd = size - FILE_TAIL_BYTES;
  const footerBytes = new Uint8Array(footerLength);
  await readExactly(bytes, footerBytes, footerEnd - footerLength);
  const blocks: IpcFooter = footerMetadata(footerBytes, file);
  const dataEnd = footerEnd - footerLength;
  for (const [kind, list] of [
    ['record batch', blocks.recordBatches],
    ['dictionary batch', blocks.dictionaries],
  ] as const) {
    for (const [i, block] of list.entries()) checkBlock(block, dataEnd, file, `${kind} ${i}`);
  }
  // apache-arrow decodes the footer (the schema) and the dictionaries; the bytes already read and
  // checked here are served to it from memory.
  const cache = new ReadCache();
  cache.add(size - 10, tail);
  cache.add(footerEnd - footerLength, footerBytes);
  for (const [i, block] of blocks.dictionaries.entries()) {
    cache.add(
      block.offset,
      await checkedMetadata(bytes, block, HeaderType.DICTIONARY_BATCH, dataEnd, `dictionary batch ${i}`),
    );
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
    throw e instanceof ArrowReadError
      ? e
      : ipcFileCorrupt(file, `the footer cannot be decoded: ${messageOf(e)}`, e);
  }
  // The blocks in footer order, after a schema message, are an IPC stream: read them as one.
  const segments: Segment[] = [{ bytes: frameMessage(Message.encode(Message.from(schema))) }];
  for (const block of [...blocks.dictionaries, ...blocks.recordBatches]) {
    segments.push({ at: block.offset, length: block.metaDataLength + block.bodyLength });
  }
  segments.push({ bytes: END_OF_STREAM.slice() });
  const stream = await readIpcStream(new BlockByteReader(bytes, segments), options);
  const count = blocks.recordBatches.length;
  let read = 0;
  return {
    schema,
    // A collected stream was read in full before the first batch.
    bytesRead: () => (collected > 0 ? collected : bytes.bytesRead),
    async next(): Promise<RecordBatch | undefined> {
      let batch = await stream.next();
      // apache-arrow's reader gives a stream of a schema and no batch one batch without rows: a
      // file whose footer lists no batches (as apache-arrow writes one with none) has none.
      if (count === 0 && read === 0 && batch?.numRows === 0) batch = await stream.next();
      if (batch !== undefined) read++;
      else if (read !== count)
        throw ipcFileCorrupt(file, `the footer lists ${count} record batches but its blocks hold ${read}`);
      return batch;
    },
    close: () => stream.close(),
  };
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
  const info = messageMetadata(blockMetadata(head, bytes.name, what), bytes.name, { what: `${what}'s` });
  if (info.headerType !== headerType)
    throw ipcFileCorrupt(bytes.name, `${what} is not the kind of message the footer says`);
  if (block.offset + block.metaDataLength + info.bodyLength > dataEnd) {
    throw ipcFileCorrupt(bytes.name, `${what}'s body extends past the file's data`);
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

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
