/** What the Parquet worker is started with. */
export interface ParquetWorkerData {
  /** Resolved path of parquet-wasm's Node entry (the worker has no module resolution of its own). */
  parquetWasm: string;
  /**
   * A regular file, as the reading thread's descriptor of it (descriptors are process-wide), and
   * its size; the reading thread keeps it open until this worker has ended. Never a path: a file
   * renamed over the path meanwhile must not be read. Or …
   */
  fd?: number;
  size?: number;
  /** … the whole file in memory. */
  bytes?: Uint8Array;
  /**
   * Shared with the reading thread: 1 + the id of the request being handled, 0 between requests,
   * so a trap that ends this thread is pinned on its row group whatever replies are on their way.
   */
  running?: Int32Array;
}

/** Requests from the reading thread. */
export type ParquetRequest =
  | { id: number; type: 'open' }
  | { id: number; type: 'read'; rowGroup: number; columns?: string[]; limit?: number; batchSize: number };

/** Replies to the reading thread; `bytesRead` counts the file bytes the decoder has pulled so far. */
export type ParquetReply =
  | {
      id: number;
      type: 'opened';
      schema: Uint8Array;
      rowGroups: number[];
      /** Column chunks whose codec the decoder lacks: [row group, column path, codec name]. */
      unsupported: [number, string, string][];
      bytesRead: number;
    }
  | { id: number; type: 'rowGroup'; ipc: Uint8Array; bytesRead: number }
  | { id: number; type: 'error'; message: string; bytesRead: number };

/**
 * The body of the Parquet decoding thread, started as `(${parquetWorkerMain})(require)`: it must not
 * use anything from this module's scope, only what it requires. It reads the reading thread's open
 * file through its descriptor (or bytes it was given), and decodes with parquet-wasm's
 * `ParquetFile`, which reads the footer and then only the column chunks of the row group and
 * columns asked for, through a Blob-like view of the file whose reads this thread counts. Each row
 * group goes back as one Arrow IPC stream, its buffer transferred, not copied.
 *
 * It runs in a worker because a malformed file can make the WebAssembly decoder trap inside a
 * promise callback, which no caller can catch and which would end the process; in a worker it ends
 * only the worker, and the reading thread reports it as `CORRUPT`. Ending the worker also returns
 * the decoder's memory, which WebAssembly never shrinks.
 *
 * @example
 * new Worker(`(${parquetWorkerMain.toString()})(require)`, { eval: true, workerData });
 */
export function parquetWorkerMain(require: (id: string) => unknown): void {
  type Blobish = {
    size: number;
    slice(start?: number, end?: number): Blobish;
    arrayBuffer(): Promise<ArrayBuffer>;
  };
  type PwTable = { intoIPCStream(): Uint8Array };
  type PwColumn = { columnPath(): string[]; compression(): number };
  type PwFile = {
    metadata(): {
      numRowGroups(): number;
      rowGroup(i: number): { numRows(): number; columns(): PwColumn[] };
    };
    schema(): { intoIPCStream(): Uint8Array };
    read(options: Record<string, unknown>): Promise<PwTable>;
  };
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const data = workerData as ParquetWorkerData;
  const pw = require(data.parquetWasm) as { ParquetFile: { fromFile(blob: Blobish): Promise<PwFile> } };
  const port = parentPort!;
  let bytesRead = 0;

  let readAt: (target: Uint8Array, position: number) => number;
  let size: number;
  if (typeof data.fd === 'number') {
    const fd = data.fd;
    size = data.size ?? fs.fstatSync(fd).size;
    readAt = (target, position) => {
      let done = 0;
      while (done < target.length) {
        const n = fs.readSync(fd, target, done, target.length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    };
  } else {
    const bytes = data.bytes ?? new Uint8Array(0);
    size = bytes.length;
    readAt = (target, position) => {
      const src = bytes.subarray(position, position + target.length);
      target.set(src);
      return src.length;
    };
  }

  const view = (start: number, end: number): Blobish => ({
    size: end - start,
    slice(s = 0, e = end - start) {
      const length = end - start;
      const from = s < 0 ? Math.max(length + s, 0) : Math.min(s, length);
      const to = e < 0 ? Math.max(length + e, 0) : Math.min(e, length);
      return view(start + from, start + Math.max(from, to));
    },
    async arrayBuffer() {
      const target = new Uint8Array(end - start);
      const got = readAt(target, start);
      bytesRead += got;
      return got === target.length ? target.buffer : target.slice(0, got).buffer;
    },
  });

  let file: PwFile | undefined;
  let queue: Promise<void> = Promise.resolve();
  const reply = (message: ParquetReply, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(message, transfer);

  // One request at a time: the decoder's objects must not be entered twice.
  port.on('message', (request: ParquetRequest) => {
    queue = queue.then(() => handle(request));
  });

  async function handle(request: ParquetRequest): Promise<void> {
    if (data.running !== undefined) Atomics.store(data.running, 0, request.id + 1);
    try {
      if (request.type === 'open') {
        file = await pw.ParquetFile.fromFile(view(0, size));
        const meta = file.metadata();
        const rowGroups: number[] = [];
        const unsupported: [number, string, string][] = [];
        for (let i = 0; i < meta.numRowGroups(); i++) {
          const group = meta.rowGroup(i);
          rowGroups.push(group.numRows());
          // The decoder traps (rather than failing) on a codec it was built without; LZO is one.
          for (const column of group.columns()) {
            const codec = column.compression();
            if (codec > 6)
              unsupported.push([i, column.columnPath().join('.'), codec === 7 ? 'LZO' : `codec ${codec}`]);
          }
        }
        const schema = file.schema().intoIPCStream();
        reply({ id: request.id, type: 'opened', schema, rowGroups, unsupported, bytesRead }, [
          schema.buffer as ArrayBuffer,
        ]);
        return;
      }
      if (file === undefined) throw new Error('the file is not open');
      const options: Record<string, unknown> = {
        rowGroups: [request.rowGroup],
        batchSize: request.batchSize,
      };
      if (request.columns !== undefined) options.columns = request.columns;
      if (request.limit !== undefined) options.limit = request.limit;
      const table = await file.read(options);
      const ipc = table.intoIPCStream();
      reply({ id: request.id, type: 'rowGroup', ipc, bytesRead }, [ipc.buffer as ArrayBuffer]);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      reply({ id: request.id, type: 'error', message, bytesRead });
    } finally {
      if (data.running !== undefined) Atomics.store(data.running, 0, 0);
    }
  }
}
