import type { RecordBatch, Schema } from 'apache-arrow';
import { readableAs, readParquet } from '#platform';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { detectFormat, type FileFormat, MAGIC_BYTES } from '../format/detectFormat.js';
import type { FormatReader } from '../format/FormatReader.js';
import type { ByteReader, ByteSource } from '../io/ByteReader.js';
import { knownSize, openByteReader, sourceName } from '../io/openByteReader.js';
import { readIpcFile } from '../ipc/readIpcFile.js';
import { readIpcStream } from '../ipc/readIpcStream.js';
import { projectSchema } from '../schema/projectSchema.js';
import { withSchema } from '../schema/withSchema.js';
import { countOption } from './countOption.js';

/** How far reading has got, for a progress display. */
export interface ReadProgress {
  /** Bytes pulled from the file or stream so far (Parquet: by the decoder, footer and column chunks). */
  bytesRead: number;
  /** Size of the input when known (a file, bytes in memory); `undefined` for a stream. */
  totalBytes: number | undefined;
  /** Rows in the batches handed out so far. */
  rows: number;
  /** Batches handed out so far. */
  batches: number;
}

/** Options of {@link readBatches}. */
export interface ReadOptions {
  /** Only these columns, in this order (Parquet decodes only these; Arrow batches are projected without copying). */
  columns?: readonly string[];
  /** Stop after this many rows (the last batch is sliced): a whole number ≥ 0, else `INVALID_OPTION`. */
  limit?: number;
  /** Aborting ends the iteration with an `ABORTED` error and closes the input. */
  signal?: AbortSignal;
  /** Called after each batch with the progress so far. */
  onProgress?: (p: ReadProgress) => void;
  /**
   * Arrow IPC from a file only: read each record batch into the previous batch's buffer instead of
   * a new one, which saves allocating (and faulting in) the file's size in fresh memory. A batch and
   * its tensors are then valid only until the next batch is asked for: copy what you keep. Off by
   * default; for streaming consumers that use each batch once (a loss over the whole file).
   */
  reuseBuffers?: boolean;
  /**
   * Arrow IPC stream only: accept a stream that ends after a complete message without the
   * end-of-stream marker (`0xFFFFFFFF 0x00000000`). Off by default, because a stream cut short at a
   * message boundary (its writer killed mid-way, a partial copy) looks just like that and would
   * otherwise read as complete: without the marker, reading ends with `TRUNCATED` after the last
   * complete batch. The Arrow format lets a writer signal the end by just closing the stream; turn
   * this on for writers that do (an end inside a message is `TRUNCATED` regardless). Applies to every
   * kind of source.
   */
  allowMissingEndOfStream?: boolean;
}

/** Record batches of one input, in order; see {@link readBatches}. */
export interface BatchReader extends AsyncIterable<RecordBatch> {
  /** Live counters, updated as batches are read. */
  readonly progress: ReadProgress;
  /** The input's format, from its magic bytes. */
  format(): Promise<FileFormat>;
  /** The schema of the batches (after projection), available before the first batch. */
  schema(): Promise<Schema>;
  /** Releases the file or stream; idempotent. Breaking out of `for await` also closes. */
  close(): Promise<void>;
}

/**
 * Reads an Arrow IPC stream, an Arrow IPC file or a Parquet file as record batches, detecting the
 * format from its magic bytes (never the file name), with bounded memory, in any JavaScript runtime:
 *
 * - Arrow IPC stream: incrementally, one message at a time.
 * - Arrow IPC file: footer first, then batch by batch by random access.
 * - Parquet: row group by row group, decoding only the columns asked for; in Node in a worker
 *   thread, elsewhere by the page-level fast path alone (`UNSUPPORTED` for a column chunk that
 *   needs Node's general decoder).
 *
 * The source may be a `Uint8Array`, an `ArrayBuffer`, a `Blob` (a browser `File`: read in slices,
 * never whole), a web `ReadableStream`, a Node `Readable` or any (async) iterable of `Uint8Array`
 * chunks; a file path is read by `readFile` from `@lossflow/arrow/node`. An Arrow IPC file or
 * Parquet from a stream (both put their index at the end) is first copied, 1 MiB at a time, to a
 * temporary file in `os.tmpdir()` in Node (mode 0600, removed when the reader closes or fails, or the
 * process exits) or gathered into a `Blob` elsewhere, then read with random access. Batches with no
 * rows are passed over; batch indices in errors count the batches handed out. Every failure is an
 * {@link ArrowReadError}; a source that fails mid-way throws rather than ending early. The reader
 * can be iterated once.
 *
 * @example
 * const reader = readBatches(fileInput.files[0], { columns: ['logits', 'target'], limit: 1_000_000 });
 * console.log(await reader.format(), (await reader.schema()).fields.map((f) => f.name));
 * for await (const batch of reader) console.log(batch.numRows, reader.progress.bytesRead);
 */
export function readBatches(source: ByteSource, options: ReadOptions = {}): BatchReader {
  return readBatchesProjected(source, options);
}

/**
 * {@link readBatches} over a file another owner has open (`bytes`, e.g. a `FileByteReader.over` a
 * worker pool's handle), so every part of one read reads that one open file, never the path again.
 *
 * @example
 * const probe = readOpenFile(FileByteReader.over(path, handle, size, undefined));
 */
export function readOpenFile(bytes: ByteReader, options: ProjectingReadOptions = {}): BatchReader {
  return new Reader(bytes.name, undefined, async () => bytes, options);
}

/**
 * {@link readBatchesProjected} over bytes `open` opens on the first use (a path opened by
 * `@lossflow/arrow/node`), named `name` in errors.
 *
 * @example
 * readOpened('log.arrow', (signal) => openFileReader('log.arrow', signal), {});
 */
export function readOpened(
  name: string,
  open: (signal: AbortSignal | undefined) => Promise<ByteReader>,
  options: ProjectingReadOptions = {},
): BatchReader {
  return new Reader(name, undefined, open, options);
}

/** {@link ReadOptions} with the projection picked from the input's schema once it is known. */
export interface ProjectingReadOptions extends Omit<ReadOptions, 'columns'> {
  columns?: readonly string[] | ((schema: Schema) => readonly string[]);
  /** Parquet only: row groups `first` ≤ g < `end` (see `FileReadOptions.parquetRowGroups`). */
  parquetRowGroups?: { readonly first: number; readonly end?: number } | undefined;
}

/**
 * {@link readBatches} whose `columns` may be chosen from the schema (as `readTensors` resolves
 * default column names) before any column is decoded.
 *
 * @example
 * readBatchesProjected('log.parquet', { columns: (s) => s.fields.slice(0, 2).map((f) => f.name) });
 */
export function readBatchesProjected(source: ByteSource, options: ProjectingReadOptions = {}): BatchReader {
  return new Reader(
    sourceName(source),
    knownSize(source),
    (signal) => openByteReader(source, signal),
    options,
  );
}

interface Opened {
  format: FileFormat;
  source: FormatReader;
  schema: Schema;
}

class Reader implements BatchReader {
  private opening: Promise<Opened> | undefined;
  private opened: Opened | undefined;
  private bytes: ByteReader | undefined;
  private closed = false;
  private iterating = false;
  private rows = 0;
  private batches = 0;

  constructor(
    /** The input as errors name it: the path, the `File`'s name, `<bytes>`, `<blob>` or `<stream>`. */
    private readonly name: string,
    /** The input's size when known before opening it. */
    private readonly size: number | undefined,
    private readonly openBytes: (signal: AbortSignal | undefined) => Promise<ByteReader>,
    private readonly options: ProjectingReadOptions,
  ) {
    countOption('limit', options.limit, 0);
    const groups = options.parquetRowGroups;
    if (groups !== undefined) {
      const first = countOption('parquetRowGroups.first', groups.first, 0)!;
      countOption('parquetRowGroups.end', groups.end, first);
    }
  }

  get progress(): ReadProgress {
    return {
      bytesRead: this.opened?.source.bytesRead() ?? this.bytes?.bytesRead ?? 0,
      totalBytes: this.bytes?.totalBytes ?? this.size,
      rows: this.rows,
      batches: this.batches,
    };
  }

  async format(): Promise<FileFormat> {
    return (await this.open()).format;
  }

  async schema(): Promise<Schema> {
    return (await this.open()).schema;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opening = this.opening;
    if (opening !== undefined) {
      const opened = await opening.catch(() => undefined);
      await opened?.source.close().catch(() => undefined);
    }
    await this.bytes?.close().catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    if (this.iterating) {
      throw new ArrowReadError('CLOSED', 'this reader is already being iterated', {
        file: this.name,
        hint: 'Call readBatches again to read the input a second time.',
      });
    }
    this.iterating = true;
    let done = false;
    const finish = async (): Promise<IteratorResult<RecordBatch>> => {
      done = true;
      await this.close();
      return { done: true, value: undefined };
    };
    return {
      next: async (): Promise<IteratorResult<RecordBatch>> => {
        if (done) return { done: true, value: undefined };
        try {
          const batch = await this.nextBatch();
          if (batch === undefined) return await finish();
          return { done: false, value: batch };
        } catch (e) {
          await finish();
          throw this.wrap(e);
        }
      },
      return: finish,
    };
  }

  private async nextBatch(): Promise<RecordBatch | undefined> {
    const { limit, signal, onProgress } = this.options;
    if (this.closed) {
      if (this.opened === undefined)
        throw new ArrowReadError('CLOSED', 'the reader was closed', { file: this.name });
      return undefined;
    }
    const opened = await this.open();
    if (limit !== undefined && this.rows >= limit) return undefined;
    let batch: RecordBatch | undefined;
    do {
      if (signal?.aborted) throw new ArrowReadError('ABORTED', 'reading was aborted', { file: this.name });
      batch = await opened.source.next();
      if (batch === undefined) return undefined;
    } while (batch.numRows === 0);
    if (signal?.aborted) throw new ArrowReadError('ABORTED', 'reading was aborted', { file: this.name });
    batch = withSchema(batch, opened.schema);
    if (limit !== undefined && this.rows + batch.numRows > limit) batch = batch.slice(0, limit - this.rows);
    this.rows += batch.numRows;
    this.batches++;
    onProgress?.(this.progress);
    return batch;
  }

  private open(): Promise<Opened> {
    this.opening ??= this.openSource().then((o) => {
      this.opened = o;
      return o;
    });
    return this.opening;
  }

  private async openSource(): Promise<Opened> {
    const { signal, columns, limit } = this.options;
    try {
      if (signal?.aborted) throw new ArrowReadError('ABORTED', 'reading was aborted', { file: this.name });
      let bytes = await this.openBytes(signal);
      this.bytes = bytes;
      if (this.closed) throw new ArrowReadError('CLOSED', 'the reader was closed', { file: this.name });
      const head = await bytes.peek(MAGIC_BYTES);
      const format = detectFormat(head);
      if (format === undefined) {
        throw head.length < 4
          ? new ArrowReadError('TRUNCATED', `the input has only ${head.length} bytes`, {
              hint: 'The file is empty or was cut short.',
            })
          : new ArrowReadError(
              'BAD_MAGIC',
              `the input starts with ${hex(head)}, not an Arrow or Parquet signature`,
              {
                hint: 'Pass an Arrow IPC stream (0xFFFFFFFF…), an Arrow IPC file (ARROW1) or a Parquet file (PAR1); CSV and JSON are not read.',
              },
            );
      }
      const prepared = await readableAs(format, bytes, signal);
      if (prepared !== bytes) {
        bytes = prepared;
        this.bytes = bytes;
        if (this.closed) throw new ArrowReadError('CLOSED', 'the reader was closed', { file: this.name });
      }
      let source: FormatReader;
      if (format === 'parquet') {
        source = await readParquet(bytes, {
          columns,
          limit: limit === undefined ? undefined : Math.max(0, limit),
          signal,
          rowGroups: this.options.parquetRowGroups,
        });
      } else {
        if (this.options.parquetRowGroups !== undefined) {
          throw new ArrowReadError(
            'INVALID_OPTION',
            `parquetRowGroups is for Parquet input, and this is ${format}`,
            {
              hint: 'Leave parquetRowGroups out for Arrow IPC input.',
            },
          );
        }
        const ipc = {
          reuseBuffers: this.options.reuseBuffers === true,
          allowMissingEndOfStream: this.options.allowMissingEndOfStream === true,
        };
        source = format === 'arrow-file' ? await readIpcFile(bytes, ipc) : await readIpcStream(bytes, ipc);
      }
      let schema = source.schema;
      if (columns !== undefined && format !== 'parquet') {
        try {
          schema = projectSchema(schema, typeof columns === 'function' ? columns(schema) : columns);
        } catch (e) {
          await source.close();
          throw e;
        }
      }
      if (this.closed) {
        await source.close();
        throw new ArrowReadError('CLOSED', 'the reader was closed', { file: this.name });
      }
      return { format, source, schema };
    } catch (e) {
      await this.bytes?.close().catch(() => undefined);
      throw this.wrap(e);
    }
  }

  /** Any failure as an `ArrowReadError` that names the file and the batch being read. */
  private wrap(e: unknown): ArrowReadError {
    const context = { file: this.name, ...(this.opened === undefined ? {} : { batch: this.batches }) };
    if (e instanceof ArrowReadError) return e.withContext(context);
    const message = e instanceof Error ? e.message : String(e);
    return new ArrowReadError('CORRUPT', `unexpected failure while reading: ${message}`, {
      ...context,
      cause: e,
    });
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}
