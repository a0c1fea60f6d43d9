import { Worker } from 'node:worker_threads';
import { type RecordBatch, type Schema, tableFromIPC } from 'apache-arrow';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { changeCheckedReader } from '../format/changeCheckedReader.js';
import type { FormatReader } from '../format/FormatReader.js';
import type { ByteReader } from '../io/ByteReader.js';
import { projectSchema } from '../schema/projectSchema.js';
import { withSchema } from '../schema/withSchema.js';
import { workerEntryUrl } from '../workerEntry.js';
import { decoderTrapError, isDecoderTrap } from './decoderTrap.js';
import { footerMeta } from './fast/footerMeta.js';
import { parquetDecodeError } from './parquetDecodeError.js';
import type { ParquetReply, ParquetRequest, ParquetWorkerData } from './parquetMessages.js';
import { readAtFd } from './readAtFd.js';
import { rejectUnsupportedCodecs } from './unsupportedCodec.js';

/** Options of {@link readParquet}. */
export interface ParquetReadOptions {
  /** Only these columns are decoded (by top-level name), in this order; a function picks them from the file's schema. */
  columns?: readonly string[] | ((schema: Schema) => readonly string[]) | undefined;
  /** Stop after this many rows; the decoder is told, so it does not decode more. */
  limit?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Rows per record batch within a row group (default 65,536). */
  batchRows?: number | undefined;
  /** Only row groups `first` ≤ g < `end` (to the last without `end`); `limit` counts from `first`. */
  rowGroups?: { readonly first: number; readonly end?: number } | undefined;
}

/**
 * Opens a Parquet file and streams it row group by row group. Decoding (parquet-wasm, with column
 * projection) runs in a worker thread, which reads a regular file itself through its own file
 * descriptor, footer first and then only the column chunks of each row group asked for. The next
 * row group is decoded while the caller works on the current one. Bytes not in a regular file (a
 * `Uint8Array`, a stream) are handed to the worker whole: Parquet's footer comes last, so a
 * stream must be collected first.
 *
 * Memory: the current and the next row group's decoded columns (as Arrow IPC), plus the decoder's
 * WebAssembly memory, which grows to about twice the largest decoded row group and is returned
 * when the reader closes (the worker ends).
 *
 * A regular file written to while it is read fails with `CHANGED` (see `changeCheckedReader`).
 *
 * @example
 * const source = await readParquet(await openByteReader('log.parquet'), { columns: ['logits', 'target'] });
 */
export async function readParquet(
  bytes: ByteReader,
  options: ParquetReadOptions = {},
): Promise<FormatReader> {
  return changeCheckedReader(bytes, () => openParquet(bytes, options));
}

async function openParquet(bytes: ByteReader, options: ParquetReadOptions = {}): Promise<FormatReader> {
  const file = bytes.name;
  const fd = bytes.fd;
  let data: ParquetWorkerData;
  let collected = 0;
  /** Closes the file, once the decoder that reads it through its descriptor has ended. */
  let release = async (): Promise<void> => undefined;
  if (fd !== undefined && bytes.totalBytes !== undefined && bytes.readInto !== undefined) {
    const readInto = bytes.readInto.bind(bytes);
    await checkParquetTail(file, bytes.totalBytes, (into, position) => readInto(into, 0, 4, position));
    // The decoder reads this very file through the descriptor, never the path again: a file
    // renamed over the path meanwhile (how logs are published) must not be read.
    data = { fd, size: bytes.totalBytes };
    release = () => bytes.close();
  } else {
    const all = await collect(bytes);
    collected = all.length;
    await bytes.close();
    if (all.length < 12) throw tooShort(file, all.length);
    checkTailBytes(all, file);
    data = { bytes: all };
  }
  // A plain file's footer read here (hyparquet's parser, no WebAssembly) gives what the decoder
  // would: the decoder thread then starts, and opens the file, only once a row group is read. A
  // reader opened for its schema alone (as `lossflow eval` probes each file before its workers
  // read it) starts no thread and compiles no parquet-wasm (together about 0.5 s of CPU).
  const known = typeof data.fd === 'number' ? footerMeta(readAtFd(data.fd), data.size ?? 0) : undefined;
  const worker = new ParquetWorker(data, file, options.signal, release, known !== undefined);
  try {
    const opened =
      known === undefined ? await worker.request({ type: 'open' }) : { type: 'opened', ...known };
    if (opened.type !== 'opened') throw new Error('unexpected reply');
    let schema: Schema;
    try {
      schema = tableFromIPC(opened.schema).schema;
    } catch (e) {
      throw new ArrowReadError('CORRUPT', `the Parquet schema cannot be converted: ${messageOf(e)}`, {
        file,
        cause: e,
      });
    }
    const picked = typeof options.columns === 'function' ? options.columns(schema) : options.columns;
    const columns = picked === undefined ? undefined : [...picked];
    if (columns !== undefined) schema = projectSchema(schema, columns, { file });
    rejectUnsupportedCodecs(
      opened.unsupported,
      (column) => columns === undefined || columns.includes(column),
      file,
    );
    // Row groups outside the range read as empty ones: the others keep their numbers.
    const { first = 0, end = opened.rowGroups.length } = options.rowGroups ?? {};
    const rowGroups = opened.rowGroups.map((rows, g) => (g >= first && g < end ? rows : 0));
    return new ParquetSource(worker, schema, rowGroups, {
      file,
      columns,
      limit: options.limit,
      batchRows: options.batchRows ?? 65_536,
      collected,
    });
  } catch (e) {
    await worker.terminate();
    throw e;
  }
}

interface SourceOptions {
  file: string;
  columns: string[] | undefined;
  limit: number | undefined;
  batchRows: number;
  collected: number;
}

/** Row groups in order, one requested ahead; each row group's batches re-labelled with the projected schema. */
class ParquetSource implements FormatReader {
  private nextGroup = 0;
  /** Rows requested from the worker so far (for the limit). */
  private requestedRows = 0;
  private ahead: { rowGroup: number; reply: Promise<ParquetReply> } | undefined;
  private pending: RecordBatch[] = [];
  private done = false;

  constructor(
    private readonly worker: ParquetWorker,
    readonly schema: Schema,
    private readonly rowGroups: number[],
    private readonly options: SourceOptions,
  ) {}

  bytesRead(): number {
    return Math.max(this.options.collected, this.worker.bytesRead);
  }

  async next(): Promise<RecordBatch | undefined> {
    for (;;) {
      const batch = this.pending.shift();
      if (batch !== undefined) return batch;
      if (this.done) return undefined;
      const current = this.ahead ?? this.request();
      this.ahead = undefined;
      if (current === undefined) {
        this.done = true;
        await this.worker.terminate();
        return undefined;
      }
      let reply: ParquetReply;
      try {
        reply = await current.reply;
      } catch (e) {
        this.done = true;
        await this.worker.terminate();
        throw e instanceof ArrowReadError ? e.withContext({ rowGroup: current.rowGroup }) : e;
      }
      // Decode the next row group while the caller works on this one.
      this.ahead = this.request();
      if (reply.type !== 'rowGroup') continue;
      try {
        for (const b of tableFromIPC(reply.ipc).batches) {
          if (b.numRows > 0) this.pending.push(withSchema(b, this.schema));
        }
      } catch (e) {
        this.done = true;
        await this.worker.terminate();
        throw e instanceof ArrowReadError
          ? e.withContext({ file: this.options.file, rowGroup: current.rowGroup })
          : new ArrowReadError(
              'CORRUPT',
              `row group ${current.rowGroup} decodes to unusable data: ${messageOf(e)}`,
              {
                file: this.options.file,
                rowGroup: current.rowGroup,
                cause: e,
              },
            );
      }
    }
  }

  async close(): Promise<void> {
    this.done = true;
    this.pending = [];
    this.ahead?.reply.catch(() => undefined);
    this.ahead = undefined;
    await this.worker.terminate();
  }

  private request(): { rowGroup: number; reply: Promise<ParquetReply> } | undefined {
    const { limit, columns, batchRows } = this.options;
    while (this.nextGroup < this.rowGroups.length && this.rowGroups[this.nextGroup] === 0) this.nextGroup++;
    if (this.nextGroup >= this.rowGroups.length) return undefined;
    if (limit !== undefined && this.requestedRows >= limit) return undefined;
    const rowGroup = this.nextGroup++;
    const rows = this.rowGroups[rowGroup]!;
    const left = limit === undefined ? rows : Math.min(rows, limit - this.requestedRows);
    this.requestedRows += left;
    const request: Omit<ParquetRequest & { type: 'read' }, 'id'> = {
      type: 'read',
      rowGroup,
      batchSize: Math.max(1, Math.min(batchRows, rows)),
    };
    if (columns !== undefined) request.columns = columns;
    if (left < rows) request.limit = left;
    const reply = this.worker.request(request);
    // Rejections are awaited by `next`; this keeps an abandoned read-ahead from being unhandled.
    reply.catch(() => undefined);
    return { rowGroup, reply };
  }
}

/**
 * The decoding thread, as request/reply promises; any failure of the thread is a typed error. It
 * starts with the first request (with `openFirst`, after an `open` of its own, whose failure fails
 * every request).
 */
class ParquetWorker {
  bytesRead = 0;
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    {
      resolve: (r: ParquetReply) => void;
      reject: (e: unknown) => void;
      /** What a read asks for, to name it if the decoder traps. */
      rowGroup: number | undefined;
      columns: readonly string[] | undefined;
    }
  >();
  private failure: ArrowReadError | undefined;
  private ended = false;
  private released: Promise<void> | undefined;
  private readonly onAbort: () => void;

  constructor(
    private readonly data: ParquetWorkerData,
    private readonly file: string,
    private readonly signal: AbortSignal | undefined,
    /** Closes the file the worker reads through its descriptor; called once the worker has ended. */
    private readonly release: () => Promise<void>,
    private readonly openFirst = false,
  ) {
    this.onAbort = () => {
      this.fail(new ArrowReadError('ABORTED', 'reading was aborted', { file }));
      void this.terminate();
    };
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.onAbort();
    if (!openFirst) this.start();
  }

  private start(): Worker {
    const { data, file } = this;
    const transfer = data.bytes !== undefined ? [data.bytes.buffer as ArrayBuffer] : [];
    const running = new Int32Array(new SharedArrayBuffer(4));
    // The package's worker entry, which runs `parquetWorker.ts` for `parquet` data: one entry
    // file for every thread this package starts, so a bundle that ships it ships this one too.
    const worker = new Worker(workerEntryUrl(), {
      // Not this process's options: `-e`, `--print` and `--input-type` give the main script, which
      // a worker refuses; it needs none of them (V8's options are process-wide anyway).
      execArgv: [],
      workerData: { parquet: { ...data, running } },
      transferList: transfer,
    });
    this.worker = worker;
    worker.unref();
    worker.on('message', (reply: ParquetReply) => {
      this.bytesRead = Math.max(this.bytesRead, reply.bytesRead);
      const w = this.waiting.get(reply.id);
      if (w === undefined) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (reply.type === 'error')
        w.reject(
          isDecoderTrap(reply.message)
            ? decoderTrapError(reply.message, file, w.rowGroup, w.columns)
            : parquetDecodeError(reply.message, file, w.rowGroup),
        );
      else w.resolve(reply);
    });
    worker.on('error', (e) => {
      // The request it was handling, as it said in shared memory (replies may be on their way).
      const id = Atomics.load(running, 0);
      const current = id === 0 ? undefined : this.waiting.get(id - 1);
      this.fail(
        isDecoderTrap(e)
          ? decoderTrapError(e, file, current?.rowGroup, current?.columns)
          : new ArrowReadError('CORRUPT', `the Parquet decoder failed: ${messageOf(e)}`, {
              file,
              cause: e,
              ...(current?.rowGroup === undefined ? {} : { rowGroup: current.rowGroup }),
              hint: 'The file is damaged or uses a layout the decoder cannot handle: write it again.',
            }),
      );
    });
    worker.on('exit', (code) => {
      this.ended = true;
      this.fail(new ArrowReadError('CORRUPT', `the Parquet decoder stopped (exit code ${code})`, { file }));
    });
    return worker;
  }

  request(request: Omit<ParquetRequest, 'id'>): Promise<ParquetReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended)
      return Promise.reject(new ArrowReadError('CLOSED', 'the reader was closed', { file: this.file }));
    if (this.worker === undefined) {
      this.start();
      // The footer was read in the reading thread: the decoder opens the file before the first read.
      if (this.openFirst)
        this.request({ type: 'open' }).catch((e: unknown) => {
          if (e instanceof ArrowReadError) this.fail(e);
        });
    }
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const read = request as { rowGroup?: number; columns?: string[] };
      this.waiting.set(id, { resolve, reject, rowGroup: read?.rowGroup, columns: read?.columns });
      worker.ref();
      worker.postMessage({ ...request, id } as ParquetRequest);
    });
  }

  /** Ends the worker, then (only then: it may be reading through the descriptor) closes the file. */
  async terminate(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    if (!this.ended) {
      this.ended = true;
      this.fail(new ArrowReadError('CLOSED', 'the reader was closed', { file: this.file }));
      await this.worker?.terminate();
    }
    this.released ??= this.release().catch(() => undefined);
    await this.released;
  }

  /** Rejects every waiting request; the first failure is the one reported. */
  private fail(error: ArrowReadError): void {
    this.failure ??= error;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
    this.worker?.unref();
  }
}

/**
 * Throws `TRUNCATED` unless a Parquet file of `size` bytes is long enough and ends with `PAR1`;
 * `readTail` reads 4 bytes at a position into `into` and returns how many it read.
 */
export async function checkParquetTail(
  file: string,
  size: number,
  readTail: (into: Uint8Array, position: number) => Promise<number>,
): Promise<void> {
  if (size < 12) throw tooShort(file, size);
  const tail = new Uint8Array(4);
  if ((await readTail(tail, size - 4)) < 4) throw tooShort(file, size);
  checkTailBytes(tail, file);
}

/** Throws unless `bytes` ends with `PAR1`. */
function checkTailBytes(bytes: Uint8Array, file: string): void {
  const n = bytes.length;
  if (!(bytes[n - 4] === 0x50 && bytes[n - 3] === 0x41 && bytes[n - 2] === 0x52 && bytes[n - 1] === 0x31)) {
    throw new ArrowReadError('TRUNCATED', 'the file does not end with the PAR1 marker after its footer', {
      file,
      hint: 'The file was cut short or is still being written: copy it again once its writer has closed it.',
    });
  }
}

function tooShort(file: string, size: number): ArrowReadError {
  return new ArrowReadError('TRUNCATED', `a Parquet file needs at least 12 bytes, this one has ${size}`, {
    file,
    hint: 'The file was cut short: copy it again.',
  });
}

/** The rest of a source as one buffer that this module owns (so it can be transferred to the worker). */
async function collect(bytes: ByteReader): Promise<Uint8Array> {
  if (bytes.totalBytes !== undefined) return (await bytes.read(bytes.totalBytes)).slice();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await bytes.read(1 << 20);
    if (chunk.length > 0) chunks.push(chunk);
    total += chunk.length;
    if (chunk.length < 1 << 20) break;
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
