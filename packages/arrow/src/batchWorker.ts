/**
 * The body of each worker thread of `mapBatchesInWorkers`: it opens the file itself, and for each
 * block it is sent reads the block's byte ranges straight into the memory its task asks for (one
 * read per range, no other copy), views the columns there and posts back what the task computes.
 * Blocks are handled one at a time, in the order they arrive.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ArrowReadError } from './ArrowReadError.js';
import type { BatchBlock } from './BatchBlock.js';
import { BlockBatch } from './BlockBatch.js';
import { ioError } from './ioError.js';
import { serializeError } from './workerError.js';
import type { WorkerReply, WorkerRequest, WorkerSetup, WorkerTaskModule } from './workerProtocol.js';

const port = parentPort!;
let setup: WorkerSetup | undefined;
let task: WorkerTaskModule | undefined;
let fd: number | undefined;
let own = new Uint8Array(0);
let queue: Promise<void> = Promise.resolve();

const post = (reply: WorkerReply): void => port.postMessage(reply);

port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => handle(request));
});
port.on('close', () => {
  if (fd !== undefined) closeSync(fd);
});

async function handle(request: WorkerRequest): Promise<void> {
  if (request.type === 'setup') {
    try {
      setup = request;
      try {
        fd = openSync(request.path, 'r');
      } catch (e) {
        throw ioError(e, request.path);
      }
      const module = (await import(request.module)) as WorkerTaskModule;
      await module.setup?.(request.data);
      task = module;
    } catch (e) {
      post({ type: 'fatal', error: serializeError(e) });
    }
    return;
  }
  if (task === undefined || setup === undefined) return;
  const { id, block } = request;
  try {
    post({ type: 'done', id, values: [run(task, setup, block)], rows: [block.rows], error: undefined });
  } catch (e) {
    post({ type: 'done', id, values: [], rows: [], error: serializeError(e) });
  }
}

/** Memory growth while the task runs detaches the batch's views (never its bytes): it is then run again. */
const ATTEMPTS = 8;

function run(t: WorkerTaskModule, s: WorkerSetup, block: BatchBlock): unknown {
  let io = memory(t, block.ioBytes);
  readRanges(io, block.reads, s.path);
  for (let attempt = 1; ; attempt++) {
    let value: unknown;
    try {
      value = t.run(new BlockBatch(io, block, s.names, s.layouts));
    } catch (e) {
      if (!detached(io, block.ioBytes) || attempt === ATTEMPTS) throw e;
      io = memory(t, block.ioBytes);
      continue;
    }
    if (!detached(io, block.ioBytes) || attempt === ATTEMPTS) return value;
    io = memory(t, block.ioBytes);
  }
}

function memory(t: WorkerTaskModule, bytes: number): Uint8Array {
  const given = t.memory?.(bytes);
  if (given !== undefined) return given;
  if (own.length < bytes) own = new Uint8Array(Math.max(bytes, 2 * own.length));
  return own.subarray(0, bytes);
}

function detached(io: Uint8Array, bytes: number): boolean {
  return bytes > 0 && io.byteLength === 0;
}

function readRanges(io: Uint8Array, reads: readonly number[], file: string): void {
  for (let i = 0; i < reads.length; i += 3) {
    const position = reads[i]!;
    const length = reads[i + 1]!;
    const at = reads[i + 2]!;
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd!, io, at + done, length - done, position + done);
      } catch (e) {
        throw ioError(e, file);
      }
      if (n === 0) {
        throw new ArrowReadError(
          'TRUNCATED',
          `the file ends at byte ${position + done}, inside a record batch`,
          {
            file,
            hint: 'The file was cut short or is being rewritten: copy it again.',
          },
        );
      }
      done += n;
    }
  }
}
