/**
 * The body of each worker thread of `mapBatchesInWorkers`: it opens the file itself. For an Arrow
 * IPC block it reads the block's byte ranges straight into the memory its task asks for (one read
 * per range, no other copy); for a Parquet row group it decodes the row group and copies each
 * batch's buffers there. It views the columns in that memory and posts back what the task
 * computes. Jobs are handled one at a time, in the order they arrive.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ArrowReadError } from './ArrowReadError.js';
import { type BatchBlock, batchBlock } from './BatchBlock.js';
import { BlockBatch } from './BlockBatch.js';
import { batchSlots } from './columnSlots.js';
import { ioError } from './ioError.js';
import { openParquetRowGroups, type ParquetRowGroups } from './parquetRowGroups.js';
import { scanIpcBytes } from './scanIpcBlocks.js';
import { serializeError } from './workerError.js';
import type {
  WorkerJob,
  WorkerReply,
  WorkerRequest,
  WorkerSetup,
  WorkerTaskModule,
} from './workerProtocol.js';

const port = parentPort!;
// A prestarted worker loads its task module while the reading thread is still getting ready.
for (const url of (workerData as { preload?: string[] } | null)?.preload ?? [])
  void import(url).catch(() => undefined);
let setup: WorkerSetup | undefined;
let task: WorkerTaskModule | undefined;
let fd: number | undefined;
let parquet: Promise<ParquetRowGroups> | undefined;
let own = new Uint8Array(0);
let queue: Promise<void> = Promise.resolve();

const post = (reply: WorkerReply): void => port.postMessage(reply);

port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => handle(request));
});
port.on('close', () => {
  if (fd !== undefined) closeSync(fd);
});

function openFile(path: string): number {
  if (fd === undefined) {
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw ioError(e, path);
    }
  }
  return fd;
}

function openParquet(path: string): Promise<ParquetRowGroups> {
  const file = openFile(path);
  parquet ??= openParquetRowGroups(file, fstatSync(file).size, path);
  return parquet;
}

async function handle(request: WorkerRequest): Promise<void> {
  try {
    if (request.type === 'parquetMeta') {
      post({ type: 'parquetMeta', meta: (await openParquet(request.path)).meta });
      return;
    }
    if (request.type === 'setup') {
      setup = request;
      openFile(request.path);
      const module = (await import(request.module)) as WorkerTaskModule;
      await module.setup?.(request.data);
      task = module;
      return;
    }
  } catch (e) {
    post({ type: 'fatal', error: serializeError(e) });
    return;
  }
  if (task === undefined || setup === undefined) return;
  await job(task, setup, request);
}

/** Runs a job and posts its results, or the results up to its failing batch and that batch's error. */
async function job(t: WorkerTaskModule, s: WorkerSetup, request: WorkerJob): Promise<void> {
  const values: unknown[] = [];
  const rows: number[] = [];
  try {
    if (request.type === 'block') {
      values.push(runBlock(t, s, request.block, (io) => readRanges(io, request.block.reads, s.path)));
      rows.push(request.block.rows);
    } else {
      const file = await openParquet(s.path);
      const ipc = await file.read(request.rowGroup, s.names, request.batchSize, request.limit);
      const { fields, version, batches } = scanIpcBytes(ipc, s.path);
      for (const { header, bodyOffset, bodyLength } of batches) {
        if (header.rows === 0) continue;
        const slots = batchSlots(fields, version, header.variadicCounts, s.names);
        const block = batchBlock(header, bodyOffset, bodyLength, slots, s.names, 0, header.rows, s.path);
        values.push(runBlock(t, s, block, (io) => copyRanges(io, block.reads, ipc)));
        rows.push(block.rows);
      }
    }
    post({ type: 'done', id: request.id, values, rows, error: undefined });
  } catch (e) {
    post({ type: 'done', id: request.id, values, rows, error: serializeError(e) });
  }
}

/** Memory growth while the task runs detaches the batch's views (never its bytes): it is then run again. */
const ATTEMPTS = 8;

function runBlock(
  t: WorkerTaskModule,
  s: WorkerSetup,
  block: BatchBlock,
  fill: (io: Uint8Array) => void,
): unknown {
  let io = memory(t, block.ioBytes);
  fill(io);
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

/** A decoded row group's batch buffers, copied into the task's memory (the decoder wrote them elsewhere). */
function copyRanges(io: Uint8Array, reads: readonly number[], bytes: Uint8Array): void {
  for (let i = 0; i < reads.length; i += 3) {
    const position = reads[i]!;
    io.set(bytes.subarray(position, position + reads[i + 1]!), reads[i + 2]!);
  }
}
