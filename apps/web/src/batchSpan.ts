import { type PositionalFile, scanIpcStream } from '@lossflow/arrow';
import { DataType, type Field, type RecordBatch, type Schema, tableFromIPC } from 'apache-arrow';

/** The end-of-stream marker that closes the one-batch stream a worker decodes. */
const END_OF_STREAM = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/**
 * A `File` read at positions, for `scanIpcStream` (each read one `slice(…).arrayBuffer()`).
 *
 * @example
 * const scan = await scanIpcStream(positionalFile(file), file.size, file.name, false);
 */
export function positionalFile(file: Blob): PositionalFile {
  return {
    async read(buffer, offset, length, position) {
      const bytes = new Uint8Array(await file.slice(position, position + length).arrayBuffer());
      buffer.set(bytes, offset);
      return { bytesRead: bytes.length };
    },
  };
}

/**
 * Whether the workers can read a stream with this schema themselves (one message each): not when
 * a column is dictionary-encoded, whose dictionaries are messages of their own.
 */
export function spansReadable(schema: Schema): boolean {
  const plain = (f: Field): boolean => !DataType.isDictionary(f.type) && (f.type.children ?? []).every(plain);
  return schema.fields.every(plain);
}

/**
 * Locates the record batches of the Arrow IPC stream `file` by their message headers alone (the
 * package's `scanIpcStream`, which frames and checks the messages as the CLI's worker pool does):
 * the workers then read each message themselves, in parallel, so this thread reads only headers.
 *
 * @example
 * const { schema, batches } = await streamSpans(file);
 */
export async function streamSpans(
  file: File,
): Promise<{ schema: Uint8Array; batches: AsyncGenerator<{ start: number; end: number; rows: number }> }> {
  const reader = positionalFile(file);
  const scan = await scanIpcStream(reader, file.size, file.name, false);
  const found = scan.batches();
  const first = await found.next();
  const schemaEnd = first.done === true ? file.size : first.value.seek;
  const schema = new Uint8Array(await file.slice(0, schemaEnd).arrayBuffer());
  async function* batches() {
    for (let at = first; at.done !== true; at = await found.next()) {
      const b = at.value;
      yield { start: b.seek, end: b.bodyOffset + b.bodyLength, rows: b.header.rows };
    }
  }
  return { schema, batches: batches() };
}

/**
 * The record batch of the IPC message at `[start, end)` of `file`, decoded after the stream's
 * schema message: what a worker reads for itself (reads of several workers overlap).
 *
 * @example
 * const batch = await batchOfSpan(file, schema, 1024, 700_000);
 */
export async function batchOfSpan(
  file: Blob,
  schema: Uint8Array,
  start: number,
  end: number,
): Promise<RecordBatch> {
  const message = new Uint8Array(await file.slice(start, end).arrayBuffer());
  const bytes = new Uint8Array(schema.length + message.length + END_OF_STREAM.length);
  bytes.set(schema, 0);
  bytes.set(message, schema.length);
  bytes.set(END_OF_STREAM, schema.length + message.length);
  const batch = tableFromIPC(bytes).batches[0];
  if (batch === undefined) throw new Error(`no record batch at bytes ${start}–${end}`);
  return batch;
}
