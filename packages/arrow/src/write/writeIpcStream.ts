import type { FileHandle } from 'node:fs/promises';
import {
  AsyncByteQueue,
  type RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  type RecordBatchWriter,
  type Schema,
} from 'apache-arrow';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { ioError } from '../io/ioError.js';
import { sameSchema } from '../schema/sameSchema.js';

/** An incremental Arrow IPC writer; see {@link writeIpcStream}. */
export interface IpcStreamWriter {
  /** Writes one batch; resolves when the destination has accepted its bytes (backpressure). */
  write(batch: RecordBatch): Promise<void>;
  /**
   * Ends the stream (end-of-stream marker, or the footer of an IPC file) and closes the destination.
   * After a failed `write`, closes the destination without that end and rejects with the write's error.
   */
  close(): Promise<void>;
  /** Bytes written so far. */
  readonly bytes: number;
}

/**
 * An Arrow IPC stream writer for per-row outputs (e.g. a row's key columns and its `loss`), to a
 * path or a Node `Writable`. Each `write` serialises one batch (its buffers are written as they
 * are, not copied) and resolves once the destination has taken the bytes: a path's write has
 * completed, a stream has drained. Without `schema`, the first batch's schema is the stream's;
 * every batch must have the same column names and types.
 *
 * `close()` writes the end-of-stream marker and closes a path; a `Writable` is ended, except
 * `process.stdout` / `process.stderr`, which are left open.
 *
 * A `write` that fails (a batch of another schema: `BAD_COLUMN_TYPE`; the destination failing:
 * `WRITE`) fails the writer: later writes reject with the same error, and `close()` closes the
 * destination without the end-of-stream marker (or an IPC file's footer) and rejects with it. What
 * is left on disk is the batches written before, without the end: every reader of this package
 * (and pyarrow's file reader) sees it as incomplete (`TRUNCATED`), never as a complete output. The
 * writer does not remove it; the caller decides whether to.
 *
 * @example
 * const out = writeIpcStream('losses.arrows');
 * for await (const batch of lossBatches) await out.write(batch);
 * await out.close();
 */
export function writeIpcStream(dest: string | NodeJS.WritableStream, schema?: Schema): IpcStreamWriter {
  return new IpcWriter(new RecordBatchStreamWriter(), dest, schema);
}

/**
 * The Arrow IPC file counterpart of {@link writeIpcStream}: the same incremental, backpressured
 * writing, with the footer (the batches' offsets) written on `close()`. Memory holds only the
 * footer's block list besides the batch being written.
 *
 * @example
 * const out = writeIpcFile('log.arrow', schema);
 * await out.write(batch);
 * await out.close();
 */
export function writeIpcFile(dest: string | NodeJS.WritableStream, schema?: Schema): IpcStreamWriter {
  return new IpcWriter(new RecordBatchFileWriter(), dest, schema);
}

/** apache-arrow's byte queue, capturing each serialised chunk for this module to write out. */
class CaptureQueue extends AsyncByteQueue {
  chunks: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }
}

class IpcWriter implements IpcStreamWriter {
  bytes = 0;
  private readonly sink = new CaptureQueue();
  private schema: Schema | undefined;
  private started = false;
  private closed = false;
  /** Why a write failed: from then on nothing more is written, not even the end. */
  private failure: unknown;
  private queue: Promise<void> = Promise.resolve();
  private readonly target: Target;

  constructor(
    private readonly writer: RecordBatchWriter,
    dest: string | NodeJS.WritableStream,
    schema: Schema | undefined,
  ) {
    this.schema = schema;
    this.target = typeof dest === 'string' ? new PathTarget(dest) : new StreamTarget(dest);
  }

  write(batch: RecordBatch): Promise<void> {
    const result = this.queue.then(() => this.writeNow(batch));
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    const result = this.queue.then(() => this.closeNow());
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async writeNow(batch: RecordBatch): Promise<void> {
    if (this.closed) throw new ArrowReadError('CLOSED', 'the writer is closed', { file: this.target.name });
    if (this.failure !== undefined) throw this.failure;
    try {
      this.schema ??= batch.schema;
      const schema = this.schema;
      this.start(schema);
      this.writer.write(sameSchema(batch, schema, this.target.name));
      await this.flush();
    } catch (e) {
      // The output misses this batch (or part of it): it must never get the end that makes it look complete.
      this.failure = e;
      throw e;
    }
  }

  private async closeNow(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.failure !== undefined) throw this.failure;
      if (this.schema !== undefined) this.start(this.schema);
      if (this.started) this.writer.close();
      await this.flush();
    } finally {
      await this.target.close();
    }
  }

  private start(schema: Schema): void {
    if (this.started) return;
    this.started = true;
    this.writer.reset(this.sink, schema);
  }

  private async flush(): Promise<void> {
    const chunks = this.sink.chunks;
    if (chunks.length === 0) return;
    this.sink.chunks = [];
    for (const c of chunks) this.bytes += c.byteLength;
    await this.target.write(chunks);
  }
}

interface Target {
  readonly name: string;
  write(chunks: Uint8Array[]): Promise<void>;
  close(): Promise<void>;
}

class PathTarget implements Target {
  private handle: Promise<FileHandle> | undefined;
  constructor(readonly name: string) {}

  async write(chunks: Uint8Array[]): Promise<void> {
    try {
      this.handle ??= import('node:fs/promises').then((fs) => fs.open(this.name, 'w'));
      const handle = await this.handle;
      let pending = chunks;
      while (pending.length > 0) {
        let { bytesWritten } = await handle.writev(pending);
        // writev may write part of the list; continue from where it stopped.
        const rest: Uint8Array[] = [];
        for (const c of pending) {
          if (bytesWritten >= c.byteLength) bytesWritten -= c.byteLength;
          else {
            rest.push(c.subarray(bytesWritten));
            bytesWritten = 0;
          }
        }
        pending = rest;
      }
    } catch (e) {
      throw ioError(e, this.name, 'write');
    }
  }

  async close(): Promise<void> {
    try {
      // A stream closed before any batch is still a valid (empty) file.
      this.handle ??= import('node:fs/promises').then((fs) => fs.open(this.name, 'w'));
      await (await this.handle).close();
    } catch (e) {
      throw ioError(e, this.name, 'write');
    }
  }
}

class StreamTarget implements Target {
  readonly name = '<stream>';
  private error: unknown;

  constructor(private readonly stream: NodeJS.WritableStream) {
    // Kept for the writer's lifetime: an 'error' event without a listener would end the process.
    stream.on('error', (e) => {
      this.error ??= e;
    });
  }

  async write(chunks: Uint8Array[]): Promise<void> {
    this.check();
    let ok = true;
    for (const c of chunks) ok = this.stream.write(c);
    if (!ok) await this.drained();
    this.check();
  }

  async close(): Promise<void> {
    this.check();
    const s = this.stream as NodeJS.WritableStream & { writableFinished?: boolean };
    if (s === process.stdout || s === process.stderr) {
      // The callback gets the error of any write still pending (EPIPE, ENOSPC on a redirect).
      await new Promise<void>((resolve, reject) =>
        s.write(new Uint8Array(0), (e?: Error | null) =>
          e ? reject(ioError(e, this.name, 'write')) : resolve(),
        ),
      );
      this.check();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const done = (e?: unknown) => (e ? reject(ioError(e, this.name, 'write')) : resolve());
      s.once('error', done);
      s.end(() => done());
    });
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  private check(): void {
    if (this.error !== undefined) throw ioError(this.error, this.name, 'write');
  }
}
