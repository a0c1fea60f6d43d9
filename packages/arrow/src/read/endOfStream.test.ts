import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { RecordBatchStreamWriter, Table, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { decodeMessage } from '../ipc/ipcMetadata.js';
import { chunked, tempDir } from '../testing/files.js';
import { trainingLogBatches } from '../write/trainingLogBatches.js';
import { writeIpcStream } from '../write/writeIpcStream.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import type { ReadOptions } from './readBatches.js';
import type { FileSource } from './readFile.js';
import { readFile as readArrow } from './readFile.js';

// A stream cut short at a message boundary (its writer killed mid-way) differs from a complete one
// only by the missing end-of-stream marker; and apache-arrow ends a stream quietly at a message of
// an unexpected type. Both must be errors, never a stream that reads as complete.

const EOS = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
const LOG = { rows: 100, classes: 3, epochs: 2, batchRows: 16 };
const FIXTURE = new URL('../../../../fixtures/epoch-log.arrows', import.meta.url).pathname;

/** One framed message of an IPC stream: where it is, its header type and where that byte is. */
interface Message {
  start: number;
  end: number;
  headerType: number;
  /** Offset of the header-type byte in the file, or `undefined` when the field is absent. */
  headerTypeAt: number | undefined;
}

/** The messages of the IPC stream starting at `from` (8 in an IPC file), up to the end-of-stream marker. */
function messagesOf(bytes: Uint8Array, from = 0): { messages: Message[]; eos: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: Message[] = [];
  let at = from;
  for (;;) {
    expect(view.getInt32(at, true)).toBe(-1);
    const length = view.getInt32(at + 4, true);
    if (length === 0) return { messages, eos: at };
    const metadata = bytes.subarray(at + 8, at + 8 + length);
    const { headerType, bodyLength } = decodeMessage(metadata);
    // The flatbuffer root table, its vtable, and the slot of field 1 (`header_type`).
    const root = view.getUint32(at + 8, true);
    const vtable = root - view.getInt32(at + 8 + root, true);
    const slot = view.getUint16(at + 8 + vtable + 6, true);
    messages.push({
      start: at,
      end: at + 8 + length + bodyLength,
      headerType,
      headerTypeAt: slot === 0 ? undefined : at + 8 + root + slot,
    });
    at += 8 + length + bodyLength;
  }
}

interface Outcome {
  rows: number;
  batches: number;
  error: ArrowReadError | undefined;
}

/** Reads everything, keeping the rows and batches handed out before an error. */
async function read(source: FileSource, options: ReadOptions = {}): Promise<Outcome> {
  let rows = 0;
  let batches = 0;
  try {
    for await (const batch of readArrow(source, options)) {
      rows += batch.numRows;
      batches++;
    }
  } catch (e) {
    if (!(e instanceof ArrowReadError)) throw e;
    return { rows, batches, error: e };
  }
  return { rows, batches, error: undefined };
}

const streamSources: Record<string, (bytes: Uint8Array) => FileSource> = {
  'Node Readable': (bytes) => Readable.from(chunked(bytes)),
  'web ReadableStream': (bytes) => {
    const it = chunked(bytes);
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await it.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
    });
  },
  'async iterable': (bytes) => chunked(bytes, [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]),
};

let dir: string;
let cleanup: () => Promise<void>;
/** The log as an IPC stream and its messages (schema first). */
let stream: Uint8Array;
let messages: Message[];
/** Rows of each record batch, in order. */
let batchRows: number[];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const path = join(dir, 'log.arrows');
  await writeTrainingLog(path, 'arrow-stream', LOG);
  stream = new Uint8Array(await readFile(path));
  const parsed = messagesOf(stream);
  messages = parsed.messages;
  expect(parsed.eos).toBe(stream.length - 8);
  batchRows = [...trainingLogBatches(LOG)].map((b) => b.numRows);
  expect(messages.map((m) => m.headerType)).toEqual([1, ...batchRows.map(() => 3)]);
});
afterAll(() => cleanup());

/** Rows in the first `n` record batches. */
const rowsOf = (n: number) => batchRows.slice(0, n).reduce((a, b) => a + b, 0);

/** `bytes` as a file in the test directory. */
async function asFile(bytes: Uint8Array, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('Arrow IPC stream: writers end with the end-of-stream marker', () => {
  it('writeIpcStream, apache-arrow (RecordBatchStreamWriter, tableToIPC) and the committed fixture', async () => {
    const batches = [...trainingLogBatches(LOG)];
    const ours = join(dir, 'ours.arrows');
    const out = writeIpcStream(ours);
    for (const b of batches) await out.write(b);
    await out.close();
    const files: Record<string, Uint8Array> = {
      writeIpcStream: new Uint8Array(await readFile(ours)),
      RecordBatchStreamWriter: RecordBatchStreamWriter.writeAll(batches).toUint8Array(true),
      "tableToIPC(…, 'stream')": tableToIPC(new Table(batches), 'stream'),
      'fixtures/epoch-log.arrows': new Uint8Array(await readFile(FIXTURE)),
    };
    for (const [name, bytes] of Object.entries(files)) {
      expect(Array.from(bytes.subarray(-8)), name).toEqual(EOS);
      const { error, rows } = await read(bytes);
      expect(error, name).toBeUndefined();
      expect(rows, name).toBe(name.startsWith('fixtures') ? 148 : LOG.rows * LOG.epochs);
    }
  });
});

describe('Arrow IPC stream: a stream without its end-of-stream marker is TRUNCATED', () => {
  it('cut at every message boundary, from a path and from bytes: every complete batch, then TRUNCATED', async () => {
    // The end of each message: after the schema, after each batch (the last: only the marker missing).
    const cuts = messages.map((m) => m.end);
    expect(cuts.length).toBe(batchRows.length + 1);
    for (const [i, cut] of cuts.entries()) {
      const bytes = stream.slice(0, cut);
      const path = await asFile(bytes, `cut-${cut}.arrows`);
      for (const [kind, source] of [
        ['path', path],
        ['bytes', bytes],
      ] as const) {
        const what = `${kind}, cut at byte ${cut} after ${i} batches`;
        const { rows, batches, error } = await read(source);
        expect(rows, what).toBe(rowsOf(i));
        expect(batches, what).toBe(i);
        expect(error, what).toBeInstanceOf(ArrowReadError);
        expect(error, what).toMatchObject({
          code: 'TRUNCATED',
          batch: i,
          file: kind === 'path' ? path : '<bytes>',
          hint: expect.stringMatching(/writer may have been killed.*allowMissingEndOfStream: true/),
        });
        expect(error!.message, what).toMatch(
          new RegExp(
            `^TRUNCATED: the stream ends after ${i} record batch(es)?, at byte ${cut}, without the end-of-stream marker`,
          ),
        );
      }
    }
  });

  it('from every kind of stream source too', async () => {
    const bytes = stream.slice(0, stream.length - 8);
    for (const [kind, make] of Object.entries(streamSources)) {
      const { rows, error } = await read(make(bytes));
      expect(rows, kind).toBe(rowsOf(batchRows.length));
      expect(error, kind).toMatchObject({ code: 'TRUNCATED', batch: batchRows.length, file: '<stream>' });
    }
  });

  it('allowMissingEndOfStream reads the same cuts as complete, from every kind of source', async () => {
    for (const [i, m] of messages.entries()) {
      const bytes = stream.slice(0, m.end);
      const path = await asFile(bytes, `allowed-${m.end}.arrows`);
      for (const source of [path, bytes]) {
        expect(await read(source, { allowMissingEndOfStream: true })).toEqual({
          rows: rowsOf(i),
          batches: i,
          error: undefined,
        });
      }
    }
    const bytes = stream.slice(0, stream.length - 8);
    for (const [kind, make] of Object.entries(streamSources)) {
      const { rows, error } = await read(make(bytes), { allowMissingEndOfStream: true });
      expect(error, kind).toBeUndefined();
      expect(rows, kind).toBe(rowsOf(batchRows.length));
    }
    // A complete stream reads the same with the option.
    expect((await read(stream, { allowMissingEndOfStream: true })).rows).toBe(rowsOf(batchRows.length));
  });

  it('a cut inside a message (or inside the marker) is TRUNCATED with the option too', async () => {
    const m = messages[5]!;
    for (const cut of [m.start + 4, m.start + 20, m.end - 1, stream.length - 4]) {
      for (const options of [{}, { allowMissingEndOfStream: true }]) {
        const { error, batches } = await read(stream.slice(0, cut), options);
        expect(error, `cut at ${cut}`).toMatchObject({ code: 'TRUNCATED', batch: batches });
        expect(error!.message).toMatch(/inside a message/);
      }
    }
  });

  it('only the schema, no marker: the schema is known, reading is TRUNCATED', async () => {
    const reader = readArrow(stream.slice(0, messages[0]!.end));
    expect((await reader.schema()).fields.map((f) => f.name)).toEqual(['epoch', 'step', 'logits', 'target']);
    await expect(
      (async () => {
        for await (const _ of reader);
      })(),
    ).rejects.toMatchObject({ code: 'TRUNCATED', batch: 0 });
  });
});

describe('Arrow IPC stream: what may not be in a stream is CORRUPT', () => {
  it('bytes after the end-of-stream marker, after every batch, from every kind of source', async () => {
    const tails: Record<string, Uint8Array> = {
      'one byte': new Uint8Array([0]),
      'zero padding': new Uint8Array(8),
      'a second marker': new Uint8Array(EOS),
      'a second stream': stream,
    };
    for (const [name, tail] of Object.entries(tails)) {
      const bytes = new Uint8Array(stream.length + tail.length);
      bytes.set(stream);
      bytes.set(tail, stream.length);
      const path = await asFile(bytes, 'trailing.arrows');
      for (const options of [{}, { allowMissingEndOfStream: true }]) {
        const sources: [string, FileSource][] = [
          ['path', path],
          ['bytes', bytes],
          ...Object.entries(streamSources).map(([k, make]): [string, FileSource] => [k, make(bytes)]),
        ];
        for (const [kind, source] of sources) {
          const what = `${name} from ${kind}`;
          const { rows, error } = await read(source, options);
          expect(rows, what).toBe(rowsOf(batchRows.length));
          expect(error, what).toMatchObject({ code: 'CORRUPT', batch: batchRows.length });
          expect(error!.message, what).toMatch(
            new RegExp(`follow the end-of-stream marker at byte ${stream.length - 8}`),
          );
          expect(error!.hint, what).toMatch(
            /concatenated .* are not one stream: pass them as separate files/,
          );
        }
      }
    }
  });

  it('a header type other than RecordBatch or DictionaryBatch after the schema, naming the batch and byte', async () => {
    for (const [i, m] of messages.entries()) {
      if (i === 0) continue;
      for (const value of [0, 1, 4, 5, 6, 131, 255]) {
        const bytes = stream.slice();
        bytes[m.headerTypeAt!] = value;
        const what = `message ${i} with header type ${value}`;
        const { rows, error } = await read(bytes);
        expect(rows, what).toBe(rowsOf(i - 1));
        expect(error, what).toMatchObject({ code: 'CORRUPT', batch: i - 1 });
        // A header table that is not a RecordBatch may already fail the metadata check (as a schema).
        if (value !== 1) {
          expect(error!.message, what).toMatch(
            new RegExp(
              `^CORRUPT: the message at byte ${m.start} \\(after ${i - 1} record batch(es)?\\) has header type (\\w+ \\(${value}\\)|${value} \\(unknown\\)): only record batches and dictionary batches follow the schema`,
            ),
          );
        }
      }
    }
  });

  it('every single-bit flip of any message header-type byte, from a path and from bytes', async () => {
    for (const [i, m] of messages.entries()) {
      for (let bit = 0; bit < 8; bit++) {
        const bytes = stream.slice();
        bytes[m.headerTypeAt!]! ^= 1 << bit;
        const path = await asFile(bytes, 'flipped.arrows');
        for (const source of [path, bytes]) {
          const what = `message ${i}, bit ${bit}, ${typeof source === 'string' ? 'path' : 'bytes'}`;
          const { rows, error } = await read(source);
          expect(error, what).toMatchObject({ code: 'CORRUPT' });
          if (i > 0) {
            expect(rows, what).toBe(rowsOf(i - 1));
            expect(error!.batch, what).toBe(i - 1);
          }
        }
      }
    }
  });

  it('a second schema: two streams joined without the first one’s marker', async () => {
    const bytes = new Uint8Array(2 * stream.length - 8);
    bytes.set(stream.subarray(0, stream.length - 8));
    bytes.set(stream, stream.length - 8);
    const { rows, error } = await read(bytes);
    expect(rows).toBe(rowsOf(batchRows.length));
    expect(error).toMatchObject({ code: 'CORRUPT', batch: batchRows.length });
    expect(error!.message).toMatch(
      new RegExp(
        `the message at byte ${stream.length - 8} \\(after ${batchRows.length} record batches\\) is a second schema`,
      ),
    );
  });

  it('a stream whose first message is not a schema', async () => {
    const bytes = stream.slice();
    bytes[messages[0]!.headerTypeAt!] = 3;
    const { error } = await read(bytes);
    expect(error).toMatchObject({ code: 'CORRUPT' });
    const noSchema = new Uint8Array(stream.length - messages[0]!.end);
    noSchema.set(stream.subarray(messages[0]!.end));
    const second = await read(noSchema);
    expect(second.error).toMatchObject({ code: 'CORRUPT' });
    expect(second.error!.message).toMatch(
      /starts with a message of header type RecordBatch \(3\), not its schema/,
    );
  });
});

describe('Arrow IPC file: its blocks are read as a stream, unaffected', () => {
  let file: Uint8Array;
  let blocks: Message[];
  let path: string;

  beforeAll(async () => {
    path = join(dir, 'log.arrow');
    await writeTrainingLog(path, 'arrow-file', LOG);
    file = new Uint8Array(await readFile(path));
    // ARROW1 and padding, then the messages as in a stream (its marker too), then the footer.
    ({ messages: blocks } = messagesOf(file, 8));
  });

  it('reads from a path, bytes and a stream, with or without the option', async () => {
    for (const options of [{}, { allowMissingEndOfStream: true }]) {
      for (const source of [path, file, Readable.from(chunked(file))]) {
        expect(await read(source, options)).toEqual({
          rows: rowsOf(batchRows.length),
          batches: batchRows.length,
          error: undefined,
        });
      }
    }
  });

  it('cut at every message boundary, or just before its end: TRUNCATED, with or without the option', async () => {
    const cuts = [...blocks.map((b) => b.end), file.length - 10, file.length - 1];
    for (const cut of cuts) {
      const bytes = file.slice(0, cut);
      const cutPath = await asFile(bytes, 'cut.arrow');
      for (const source of [cutPath, bytes]) {
        for (const options of [{}, { allowMissingEndOfStream: true }]) {
          const { error, rows } = await read(source, options);
          expect(rows, `cut at ${cut}`).toBe(0);
          expect(error, `cut at ${cut}`).toMatchObject({ code: 'TRUNCATED' });
        }
      }
    }
  });

  it("a record batch block's header type other than RecordBatch is CORRUPT naming the block", async () => {
    for (const [i, b] of blocks.entries()) {
      if (b.headerType !== 3) continue;
      const bytes = file.slice();
      bytes[b.headerTypeAt!] = 0;
      const batch = blocks.slice(0, i).filter((x) => x.headerType === 3).length;
      const { rows, error } = await read(bytes);
      expect(rows).toBe(rowsOf(batch));
      expect(error).toMatchObject({ code: 'CORRUPT', batch });
      expect(error!.message).toMatch(new RegExp(`the message of record batch block ${batch} \\(after`));
    }
  });
});
