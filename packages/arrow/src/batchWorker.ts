/**
 * The body of every worker thread this package starts: a {@link BatchRunner} answering the
 * requests of `mapBatchesInWorkers`'s pool through the thread's port or, when started with
 * `parquet` data by `readParquet`, the Parquet decoding thread (`parquet/parquetWorker.ts`).
 * One entry, so whatever ships it (the package, a bundle) ships every thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { traceMark } from './parallel/traceMarks.js';
import type { WorkerRequest } from './parallel/workerProtocol.js';
import type { ParquetWorkerData } from './parquet/parquetMessages.js';

traceMark('worker: entry running');

const port = parentPort!;
const data = workerData as { preload?: string[]; parquet?: ParquetWorkerData } | null;
// Messages sent meanwhile wait in the port until a listener is attached.
if (data?.parquet !== undefined) {
  const { serveParquet } = await import('./parquet/parquetWorker.js');
  serveParquet(port, data.parquet);
} else {
  // A prestarted worker loads its task module while the reading thread is still getting ready.
  for (const url of data?.preload ?? []) void import(url).catch(() => undefined);
  const { BatchRunner } = await import('./parallel/BatchRunner.js');
  const runner = new BatchRunner((reply) => port.postMessage(reply));
  traceMark('worker: runner loaded');
  port.on('message', (request: WorkerRequest) => runner.handle(request));
  port.on('close', () => runner.close());
}
