import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArrowReadError } from '../errors/ArrowReadError.js';
import { readBatches } from '../read/readBatches.js';
import { tempDir } from '../testing/files.js';
import {
  blockMetadata,
  END_OF_STREAM,
  frameMessage,
  MAX_METADATA,
  metadataLength,
  StreamOrder,
} from './ipcFraming.js';
import { decodeMessage } from './ipcMetadata.js';
import { scanIpcStream } from './scanIpcBlocks.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('message framing', () => {
  it('frames metadata padded to 8 bytes and reads its length back; the end-of-stream marker is 0', () => {
    const framed = frameMessage(new Uint8Array(13).fill(7));
    expect(framed.length).toBe(8 + 16);
    expect(metadataLength(framed, 'x')).toBe(16);
    expect(metadataLength(END_OF_STREAM, 'x')).toBe(0);
  });

  it('refuses a prefix without the continuation marker, or an impossible metadata length', () => {
    expect(() => metadataLength(new Uint8Array(8), 'a.arrows')).toThrow(
      expect.objectContaining({ code: 'CORRUPT', detail: expect.stringMatching(/continuation marker/) }),
    );
    const huge = frameMessage(new Uint8Array(8));
    new DataView(huge.buffer).setInt32(4, MAX_METADATA + 1, true);
    expect(() => metadataLength(huge, 'a.arrows')).toThrow(
      expect.objectContaining({
        code: 'CORRUPT',
        detail: `a message declares ${MAX_METADATA + 1} bytes of metadata`,
      }),
    );
  });

  it("reads a file block's metadata after either prefix (the continuation marker, or the length alone)", () => {
    const metadata = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(blockMetadata(frameMessage(metadata), 'f', 'record batch 0'))).toEqual(
      Array.from(metadata),
    );
    const legacy = new Uint8Array(12);
    new DataView(legacy.buffer).setInt32(0, 8, true);
    legacy.set(metadata, 4);
    expect(Array.from(blockMetadata(legacy, 'f', 'record batch 0'))).toEqual(Array.from(metadata));
    expect(() => blockMetadata(legacy.subarray(0, 10), 'f', 'record batch 0')).toThrow(
      expect.objectContaining({ detail: "record batch 0's metadata length 8 does not fit its block" }),
    );
  });

  it('orders a stream: schema first, then batches only', () => {
    const order = new StreamOrder('s.arrows', 'stream', false);
    expect(() => order.accept(3, { at: 0 })).toThrow(
      /starts with a message of header type RecordBatch \(3\)/,
    );
    order.accept(1, { at: 0 });
    order.accept(3, { at: 96 });
    expect(() => order.accept(4, { at: 200 })).toThrow(
      'the message at byte 200 (after 1 record batch) has header type Tensor (4)',
    );
    expect(order.endWithoutMarker(300)?.detail).toMatch(/^the stream ends after 1 record batch, at byte 300/);
    expect(new StreamOrder('s', 'stream', true).endWithoutMarker(0)?.code).toBe('TRUNCATED');
  });
});

describe('one framer for the in-thread reader and the pool scan', () => {
  /** A stream whose second message's header type byte is `value`. */
  function withHeaderType(value: number): Uint8Array {
    const stream = tableToIPC(tableFromArrays({ loss: new Float32Array([1, 2, 3]) }), 'stream').slice();
    const view = new DataView(stream.buffer);
    const first =
      8 + view.getInt32(4, true) + decodeMessage(stream.subarray(8, 8 + view.getInt32(4, true))).bodyLength;
    const root = view.getUint32(first + 8, true);
    const vtable = root - view.getInt32(first + 8 + root, true);
    const slot = view.getUint16(first + 8 + vtable + 6, true);
    stream[first + 8 + root + slot] = value;
    return stream;
  }

  async function inThread(bytes: Uint8Array): Promise<ArrowReadError> {
    try {
      for await (const _ of readBatches(bytes)) void _;
    } catch (e) {
      return e as ArrowReadError;
    }
    throw new Error('no error');
  }

  async function scanned(bytes: Uint8Array): Promise<ArrowReadError> {
    const path = join(dir, 'damaged.arrows');
    await writeFile(path, bytes);
    const handle = await open(path, 'r');
    try {
      const scan = await scanIpcStream(handle, bytes.length, path, false);
      for await (const _ of scan.batches()) void _;
    } catch (e) {
      return e as ArrowReadError;
    } finally {
      await handle.close();
    }
    throw new Error('no error');
  }

  it('a message of a type a stream cannot hold is the same CORRUPT error in both', async () => {
    for (const value of [4, 5, 9]) {
      const bytes = withHeaderType(value);
      const [a, b] = [await inThread(bytes), await scanned(bytes)];
      expect(a.code).toBe('CORRUPT');
      expect(b.code).toBe('CORRUPT');
      expect(b.detail).toBe(a.detail);
      expect(b.detail).toMatch(
        /has header type (Tensor \(4\)|SparseTensor \(5\)|9 \(unknown\)): only record batches/,
      );
    }
  });
});

describe('a scan from a seek', () => {
  it('counts the record batches before its seek in the errors that count them, as a scan from the start', async () => {
    const table = tableFromArrays({ loss: new Float32Array([1, 2, 3]) });
    const [batch] = table.batches;
    // Four batch messages (one empty), then bytes after the end-of-stream marker.
    const four = tableToIPC(new Table([batch!, batch!.slice(0, 0), batch!, batch!]));
    const bytes = new Uint8Array(four.length + 8);
    bytes.set(four);
    const handle = {
      async read(buffer: Uint8Array, offset: number, length: number, position: number) {
        const part = bytes.subarray(position, Math.min(bytes.length, position + length));
        buffer.set(part, offset);
        return { bytesRead: part.length };
      },
    };
    const failure = async (seek?: number, before?: number): Promise<ArrowReadError> => {
      try {
        const scan = await scanIpcStream(handle, bytes.length, 'joined.arrows', false, seek, before);
        for await (const _ of scan.batches()) void _;
      } catch (e) {
        return e as ArrowReadError;
      }
      throw new Error('no error');
    };
    const seeks: number[] = [];
    const scan = await scanIpcStream(handle, four.length, 'joined.arrows', false);
    for await (const at of scan.batches()) seeks.push(at.seek);
    const fromStart = await failure();
    expect(fromStart.detail).toMatch(/after 4 record batches$/);
    // From the third batch message: two came before it, one of them empty.
    expect((await failure(seeks[2], 2)).detail).toBe(fromStart.detail);
  });
});
