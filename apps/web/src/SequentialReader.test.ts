/**
 * The page's stream over a file reads spans in order into the caller's buffer: small gaps read
 * through, a span behind it or far ahead from a new stream, and past the end short.
 */
import { ArrowReadError } from '@lossflow/arrow';
import { describe, expect, it } from 'vitest';
import { SequentialReader, SKIP_BYTES } from './SequentialReader.js';

const SIZE = SKIP_BYTES + 300_000;
const FILE = new Uint8Array(SIZE).map((_, i) => (i * 13 + (i >> 10)) & 255);

/** A Blob that counts the streams opened on its slices. */
function counted(bytes: Uint8Array<ArrayBuffer>): { blob: Blob; streams: () => number } {
  let streams = 0;
  const blob = new Blob([bytes]);
  const slice = blob.slice.bind(blob);
  blob.slice = (...args: Parameters<Blob['slice']>) => {
    const part = slice(...args);
    const stream = part.stream.bind(part);
    part.stream = () => {
      streams++;
      return stream();
    };
    return part;
  };
  return { blob, streams: () => streams };
}

async function span(
  reader: SequentialReader,
  position: number,
  length: number,
  buffer = new ArrayBuffer(length),
) {
  const { buffer: filled, got } = await reader.read(buffer, position, length);
  return { bytes: new Uint8Array(filled, 0, got), got };
}

describe('SequentialReader', () => {
  it('reads spans in order from one stream, reading small gaps through', async () => {
    const { blob, streams } = counted(FILE);
    const reader = new SequentialReader(blob);
    for (const [position, length] of [
      [100, 5000],
      [5100, 20_000],
      [40_000, 1000],
      [41_000, 70_000],
    ] as const) {
      // A buffer bigger than the span, reused: the span fills its start.
      const { bytes } = await span(reader, position, length, new ArrayBuffer(length + 64));
      expect(bytes).toEqual(FILE.subarray(position, position + length));
    }
    expect(streams()).toBe(1);
    await reader.close();
  });

  it('opens a new stream for a span behind it or far ahead', async () => {
    const { blob, streams } = counted(FILE);
    const reader = new SequentialReader(blob);
    expect((await span(reader, 50_000, 100)).bytes).toEqual(FILE.subarray(50_000, 50_100));
    expect((await span(reader, 10, 100)).bytes).toEqual(FILE.subarray(10, 110));
    const far = 110 + SKIP_BYTES + 1;
    expect((await span(reader, far, 1000)).bytes).toEqual(FILE.subarray(far, far + 1000));
    expect(streams()).toBe(3);
    await reader.close();
  });

  it('reads short where the file ends, and nothing past its end', async () => {
    const reader = new SequentialReader(new Blob([FILE]));
    const { bytes, got } = await span(reader, SIZE - 100, 1000);
    expect(got).toBe(100);
    expect(bytes).toEqual(FILE.subarray(SIZE - 100));
    expect((await span(reader, SIZE + 10, 1000)).got).toBe(0);
    await reader.close();
  });
});

describe('SequentialReader of a file changed after it was chosen', () => {
  it("words the browser's bare read failure as an IO error with the way out", async () => {
    // Chromium rejects a stream's read with a bare "network error" when the file changed under it.
    const file = new File([FILE], 'changed.arrows');
    file.slice = () => {
      const part = new Blob([]);
      part.stream = () =>
        new ReadableStream({
          type: 'bytes',
          pull: (controller) => controller.error(new TypeError('network error')),
        });
      return part;
    };
    const failure = await span(new SequentialReader(file), 0, 1_000).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ArrowReadError);
    expect((failure as ArrowReadError).code).toBe('IO');
    expect((failure as ArrowReadError).file).toBe('changed.arrows');
    expect((failure as ArrowReadError).message).toMatch(/network error/);
    expect((failure as ArrowReadError).hint).toMatch(/changed or removed since it was chosen/);
  });
});
