import type { MessagePort } from 'node:worker_threads';
import { openParquetFile, type ParquetFile } from './parquetFile.js';
import type { ParquetReply, ParquetRequest, ParquetWorkerData } from './parquetMessages.js';
import type { ReadAt } from './ReadAt.js';
import { readAtFd } from './readAtFd.js';

/**
 * The Parquet decoding thread of `readParquet`: answers the reading thread's requests on `port`
 * with the one decoding body (`openParquetFile`), reading the reading thread's open file through
 * its descriptor (or bytes it was given). Each row group goes back as one Arrow IPC stream, its
 * buffer transferred, not copied. The package's worker entry (`batchWorker.ts`) runs it when its
 * `workerData` has `parquet`.
 *
 * It runs in a worker because a malformed file can make the WebAssembly decoder trap inside a
 * promise callback, which no caller can catch and which would end the process; in a worker it ends
 * only the worker, and the reading thread reports it as `CORRUPT`, naming the row group the shared
 * `running` cell says was being decoded. Ending the worker also returns the decoder's memory,
 * which WebAssembly never shrinks.
 *
 * @example
 * serveParquet(parentPort!, workerData.parquet);
 */
export function serveParquet(port: MessagePort, data: ParquetWorkerData): void {
  let bytesRead = 0;
  let readAt: ReadAt;
  let size: number;
  if (typeof data.fd === 'number') {
    readAt = readAtFd(data.fd);
    size = data.size ?? 0;
  } else {
    const bytes = data.bytes ?? new Uint8Array(0);
    size = bytes.length;
    readAt = (target, position) => {
      const src = bytes.subarray(position, position + target.length);
      target.set(src);
      return src.length;
    };
  }

  let file: ParquetFile | undefined;
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
        file = await openParquetFile(readAt, size, (n) => {
          bytesRead += n;
        });
        const { schema, rowGroups, unsupported } = file.meta;
        reply(
          {
            id: request.id,
            type: 'opened',
            schema,
            rowGroups: [...rowGroups],
            unsupported: [...unsupported],
            bytesRead,
          },
          [schema.buffer as ArrayBuffer],
        );
        return;
      }
      if (file === undefined) throw new Error('the file is not open');
      const ipc = await file.read(request.rowGroup, request.columns, request.batchSize, request.limit);
      reply({ id: request.id, type: 'rowGroup', ipc, bytesRead }, [ipc.buffer as ArrayBuffer]);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      reply({ id: request.id, type: 'error', message, bytesRead });
    } finally {
      if (data.running !== undefined) Atomics.store(data.running, 0, 0);
    }
  }
}
