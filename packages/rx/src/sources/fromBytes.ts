import { type ReadOptions, readBatches } from '@lossflow/arrow';
import { checkOptionKeys, LossError, optionKeys } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import { defer, type Observable } from 'rxjs';
import { fromBatches } from './fromBatches.js';

/** What {@link fromBytes} reads: bytes in memory, a `Blob` (a browser `File`), a web stream, or async chunks. */
export type BytesSource =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/** Every option of {@link fromBytes} (a typo is an error, not an ignored option). */
const FROM_BYTES_OPTION_KEYS = optionKeys<ReadOptions>({
  columns: true,
  limit: true,
  signal: true,
  onProgress: true,
  reuseBuffers: true,
  allowMissingEndOfStream: true,
});

/**
 * Record batches of an Arrow IPC stream, Arrow IPC file or Parquet file (detected from its magic
 * bytes) held in memory or arriving as a stream, read lazily per subscription and pull-driven (see
 * {@link fromBatches}), with `@lossflow/arrow`'s read options. Works wherever the root of
 * `@lossflow/rx` does (a browser too); a file by path is `fromFile` of `@lossflow/rx/node`.
 *
 * @throws {LossError} `INVALID_OPTION` for a path (a string), another source, or an unknown option.
 * @example
 * const file = input.files[0]; // a browser File
 * fromBytes(file).pipe(crossEntropy(), reduce('mean')).subscribe((loss) => console.log(loss));
 */
export function fromBytes(source: BytesSource, options: ReadOptions = {}): Observable<RecordBatch> {
  checkOptionKeys('fromBytes', options, FROM_BYTES_OPTION_KEYS);
  const bytes = byteSource(source);
  return defer(() => fromBatches(readBatches(bytes, options)));
}

function byteSource(
  source: BytesSource,
): Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  // As it is, not as a stream: errors then name the File (or '<blob>'), and reads are random access.
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source;
  const s = source as unknown;
  if (typeof s === 'object' && s !== null && ('getReader' in s || Symbol.asyncIterator in s)) {
    return source as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  }
  throw new LossError(
    'INVALID_OPTION',
    `fromBytes reads a Uint8Array, ArrayBuffer, Blob, ReadableStream or async iterable of Uint8Array, got ${typeof s === 'string' ? 'a string' : Object.prototype.toString.call(s)}`,
    {
      argument: 'source',
      hint:
        typeof s === 'string'
          ? "To read a file by path, use fromFile from '@lossflow/rx/node'."
          : 'Pass the bytes, or a stream of them (e.g. a fetch response body).',
    },
  );
}
