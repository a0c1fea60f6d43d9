/// <reference lib="webworker" />
import type { BatchReadPlan } from '@lossflow/arrow';
import { IoRegionBatch, rebaseListOffsets, regionRun } from '@lossflow/arrow/worker';
import { setKernelBackend } from '@lossflow/core';
import type { LossOperatorPlan } from '@lossflow/rx';
import { memory, run, setup } from '@lossflow/rx/worker';
import type { RecordBatch } from 'apache-arrow';
import { batchOfMessage } from './batchMessage.js';
import type { EvalSpec } from './evalSpec.js';
import { lossPlans, rangeColumns } from './lossOperators.js';
import { PlanReader } from './PlanReader.js';
import { errorData, type FromWorker, type ToWorker, type WorkerChunk } from './workerMessages.js';

/**
 * A compute worker: one per core. A batch of an Arrow IPC stream comes as a read plan (the whole
 * batch, or one of its row ranges), which the worker reads from the `File` itself into a reused
 * buffer, copies into the WebAssembly kernels' IO region and computes with the task the CLI's
 * worker threads run (`@lossflow/rx/worker`), on views of that region: no batch is decoded and no
 * memory is allocated per batch. Any other batch comes decoded, and is computed with the loss
 * operators' own chunk function (`LossOperatorPlan.chunk`) in the row ranges the CLI cuts it into.
 * Either way the page merges the same states in the same order as the CLI and gets its bits.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
let plans: LossOperatorPlan[] = [];
let kernels: EvalSpec['kernels'] = 'wasm';
/** The columns the task was last set up with (per file: the page resolves them from its schema). */
let taskColumns = '';
/** Two buffers: the next batch is read into one while the batch in the other is computed. */
const readers = [new PlanReader(), new PlanReader()];

function post(message: FromWorker): void {
  scope.postMessage(message);
}

/** Reads a plan's bytes into the kernels' IO region and runs the CLI's worker task on it. */
async function blockChunks(
  message: Extract<ToWorker, { type: 'block' }>,
  plan: BatchReadPlan,
  read: Promise<Uint8Array>,
): Promise<WorkerChunk[]> {
  const key = JSON.stringify(message.columns);
  if (key !== taskColumns) {
    setup({
      kernels,
      losses: plans.map((p, i) => ({
        name: p.spec.name,
        options: p.options,
        by: p.by,
        nulls: p.nulls,
        columns: message.columns[i]!,
      })),
    });
    taskColumns = key;
  }
  const bytes = await read;
  const region = (): Uint8Array => memory(plan.ioBytes) ?? new Uint8Array(plan.ioBytes);
  const io = region();
  io.set(bytes);
  rebaseListOffsets(io, plan);
  // Memory growth while the task runs detaches the region's views (it keeps their bytes): the
  // task is run again on the region taken afresh, as the CLI's worker threads run it.
  return regionRun(io, plan.ioBytes, region, (view) =>
    run(new IoRegionBatch(view, plan, message.names, message.layouts)),
  ).value.losses;
}

/**
 * Messages are computed one at a time, in the order they arrive; a batch is read as soon as one
 * of the two buffers is free (the batch before the one last read into it is computed), so reading
 * the next batch overlaps computing this one, and no read ever lands in a buffer still in use.
 */
let computed: Promise<void> = Promise.resolve();
const bufferFree: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
let blocks = 0;
scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type !== 'block') {
    computed = computed.then(() => handle(message, undefined));
    return;
  }
  const k = blocks++ % 2;
  const read = bufferFree[k]!.then(() => readers[k]!.read(message.file, message.plan, message.file.name));
  // Its failure is reported by `handle`, in order.
  read.catch(() => undefined);
  computed = computed.then(() => handle(message, read));
  bufferFree[k] = computed;
};

async function handle(message: ToWorker, read: Promise<Uint8Array> | undefined): Promise<void> {
  if (message.type === 'init') {
    try {
      setKernelBackend(message.spec.kernels);
      kernels = message.spec.kernels;
      plans = lossPlans(message.spec);
      taskColumns = '';
      post({ type: 'ready', kernels: message.spec.kernels });
    } catch (e) {
      post({ type: 'error', job: undefined, index: undefined, error: errorData(e) });
    }
    return;
  }
  try {
    if (message.type === 'block') {
      const chunks = await blockChunks(message, message.plan, read!);
      post({ type: 'chunks', job: message.job, index: message.index, part: message.part, chunks });
      return;
    }
    const batch: RecordBatch = batchOfMessage(message.batch);
    const columns = rangeColumns(plans, batch.schema);
    const chunks: WorkerChunk[] = plans.map((plan) => {
      const c = plan.chunk(batch, message.index, columns);
      return {
        rows: c.rows,
        skipped: c.skipped,
        state: c.state,
        // Read-only only in its type: the message is a clone.
        groups: c.groups as WorkerChunk['groups'],
        steps: c.steps,
        rowShapes: c.rowShapes,
        rowDtypes: c.rowDtypes,
      };
    });
    post({ type: 'chunks', job: message.job, index: message.index, part: 0, chunks });
  } catch (e) {
    const error = errorData(e);
    // A row range's error names the row of the batch, as the CLI's worker threads name it.
    const first = message.type === 'block' ? (message.plan.firstRow ?? 0) : 0;
    post({
      type: 'error',
      job: message.job,
      index: message.index,
      error: error.row === undefined ? error : { ...error, row: error.row + first },
    });
  }
}
