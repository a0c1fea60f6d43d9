/**
 * The body of each worker thread of `mapBatchesInWorkers`: a {@link BatchRunner} answering the
 * pool's requests through the thread's port.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchRunner } from './BatchRunner.js';
import type { WorkerRequest } from './workerProtocol.js';

const port = parentPort!;
// A prestarted worker loads its task module while the reading thread is still getting ready.
for (const url of (workerData as { preload?: string[] } | null)?.preload ?? [])
  void import(url).catch(() => undefined);
const runner = new BatchRunner((reply) => port.postMessage(reply));
port.on('message', (request: WorkerRequest) => runner.handle(request));
port.on('close', () => runner.close());
