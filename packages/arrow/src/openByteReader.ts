import { ArrowReadError } from './ArrowReadError.js';
import { type ByteReader, type ByteSource, isNodeStream, isWebStream } from './ByteReader.js';
import { ChunkByteReader } from './ChunkByteReader.js';
import { FileByteReader } from './FileByteReader.js';
import { MemoryByteReader } from './MemoryByteReader.js';

/**
 * The {@link ByteReader} for a source: a regular file gets random access through a file handle;
 * a pipe or device path, a Node stream, a web stream or an async iterable is read as a stream.
 *
 * @example
 * const reader = await openByteReader('log.parquet');
 */
export async function openByteReader(source: ByteSource, signal?: AbortSignal): Promise<ByteReader> {
  if (typeof source === 'string') {
    const file = await FileByteReader.open(source, signal);
    if (file !== undefined) return file;
    const { createReadStream } = await import('node:fs');
    return new ChunkByteReader(createReadStream(source)[Symbol.asyncIterator](), source, signal);
  }
  if (source instanceof Uint8Array) return new MemoryByteReader(source);
  if (isWebStream(source)) return new ChunkByteReader(webStreamIterator(source), '<stream>', signal);
  if (isNodeStream(source) || isAsyncIterable(source)) {
    return new ChunkByteReader(
      (source as AsyncIterable<unknown>)[Symbol.asyncIterator](),
      '<stream>',
      signal,
    );
  }
  throw new ArrowReadError('IO', `cannot read from a source of type ${describe(source)}`, {
    hint: 'Pass a file path, a Uint8Array, a Node Readable, a web ReadableStream or an async iterable of Uint8Array.',
  });
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

/** A web stream as an iterator whose `return` cancels the stream, as breaking out of a loop should. */
function webStreamIterator(stream: ReadableStream<Uint8Array>): AsyncIterator<unknown> {
  const reader = stream.getReader();
  return {
    next: () => reader.read() as Promise<IteratorResult<unknown>>,
    return: async () => {
      await reader.cancel().catch(() => undefined);
      reader.releaseLock();
      return { done: true, value: undefined };
    },
  };
}
