import { ArrowReadError } from '../errors/ArrowReadError.js';
import { BlobByteReader } from './BlobByteReader.js';
import { type ByteReader, type ByteSource, isWebStream } from './ByteReader.js';
import { ChunkByteReader } from './ChunkByteReader.js';
import { MemoryByteReader } from './MemoryByteReader.js';

/**
 * The {@link ByteReader} for a source in any runtime: bytes in memory and a `Blob` get random
 * access; a web stream or an (async) iterable of chunks is read as a stream. A string (a path) is
 * refused with a hint: files are opened by `@lossflow/arrow/node`.
 *
 * @example
 * const reader = await openByteReader(await (await fetch(url)).blob());
 */
export async function openByteReader(source: ByteSource, signal?: AbortSignal): Promise<ByteReader> {
  if (source instanceof Uint8Array) return new MemoryByteReader(source);
  if (source instanceof ArrayBuffer) return new MemoryByteReader(new Uint8Array(source));
  if (isBlob(source)) return new BlobByteReader(source, sourceName(source), signal);
  if (isWebStream(source)) {
    // getReader() on a locked stream throws a bare TypeError, which would read as damaged bytes.
    if (source.locked) {
      throw new ArrowReadError('IO', 'the ReadableStream is locked: another reader is reading it', {
        file: '<stream>',
        hint: 'Release the other reader (reader.releaseLock()) before passing the stream, or pass one branch of stream.tee().',
      });
    }
    return new ChunkByteReader(webStreamIterator(source), '<stream>', signal);
  }
  if (isAsyncIterable(source)) {
    return new ChunkByteReader(source[Symbol.asyncIterator](), '<stream>', signal);
  }
  if (isIterable(source)) return new ChunkByteReader(asyncIterator(source), '<stream>', signal);
  if (typeof source === 'string') {
    throw new ArrowReadError('IO', 'readBatches does not open file paths', {
      file: source,
      hint: "Read a file with readFile from '@lossflow/arrow/node', or pass its bytes, a Blob or a stream.",
    });
  }
  throw new ArrowReadError('IO', `cannot read from a source of type ${describe(source)}`, {
    hint: 'Pass a Uint8Array, an ArrayBuffer, a Blob (a browser File), a web ReadableStream or an (async) iterable of Uint8Array.',
  });
}

/** How errors name a source before it is opened: a `File`'s name, else what kind of source it is. */
export function sourceName(source: unknown): string {
  if (typeof source === 'string') return source;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return '<bytes>';
  if (isBlob(source)) {
    const name = (source as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : '<blob>';
  }
  return '<stream>';
}

/** The input's size when it is known before reading (bytes in memory, a blob). */
export function knownSize(source: unknown): number | undefined {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source.byteLength;
  if (isBlob(source)) return source.size;
  return undefined;
}

/** A `Blob` (or `File`), also one of another realm or a polyfill: it has `size`, `slice` and `arrayBuffer`. */
function isBlob(x: unknown): x is Blob {
  if (typeof Blob !== 'undefined' && x instanceof Blob) return true;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Blob).size === 'number' &&
    typeof (x as Blob).slice === 'function' &&
    typeof (x as Blob).arrayBuffer === 'function'
  );
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

/** A synchronous iterable of chunks as an async iterator whose `return` reaches the iterable's. */
function asyncIterator(iterable: Iterable<unknown>): AsyncIterator<unknown> {
  const it = iterable[Symbol.iterator]();
  return {
    next: async () => it.next(),
    return: async () => {
      it.return?.();
      return { done: true, value: undefined };
    },
  };
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
