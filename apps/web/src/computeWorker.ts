/// <reference lib="webworker" />
import { IoRegionBatch, rebaseListOffsets, regionRun } from '@lossflow/arrow/worker';
import { setKernelBackend } from '@lossflow/core';
import type { LossOperatorPlan } from '@lossflow/rx';
import { memory, run, setup } from '@lossflow/rx/worker';
import type { RecordBatch } from 'apache-arrow';
import { batchOfMessage } from './batchMessage.js';
import type { EvalSpec } from './evalSpec.js';
import { lossPlans, rangeColumns } from './lossOperators.js';
import { placePlanBytes } from './placePlanBytes.js';
import type { RegionItem } from './ReadRegion.js';
import { type RegionBytes, RegionReader } from './RegionReader.js';
import { errorData, type FromWorker, type ToWorker, type WorkerChunk } from './workerMessages.js';

/**
 * A compute worker: one per core. Batches of an Arrow IPC stream come as a region: the read plans
 * (a batch whole, or one of its row ranges) of consecutive batches and the few byte ranges of the
 * `File` that hold them, either read by the page (a dense region, its buffer moved here and given
 * back) or read here into a reused buffer (far-apart ranges). It copies each plan's
 * bytes into the WebAssembly kernels' IO region and computes it with the task the CLI's worker
 * threads run (`@lossflow/rx/worker`), on views of that region: no batch is decoded and no memory
 * is allocated per batch. Any other batch comes decoded, and is computed with the loss
 * operators' own chunk function (`LossOperatorPlan.chunk`) in the row ranges the CLI cuts it into.
 * Either way the page merges the same states in the same order as the CLI and gets its bits.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
let plans: LossOperatorPlan[] = [];
let kernels: EvalSpec['kernels'] = 'wasm';
/** The columns the task was last set up with (per file: the page resolves them from its schema). */
let taskColumns = '';
/** Two buffers: the next region is read into one while the plans of the other are computed. */
const readers = [new RegionReader(), new RegionReader()];

function post(message: FromWorker): void {
  scope.postMessage(message);
}

/** Sets the CLI's worker task up for the columns of `message` (once per file's columns). */
function setupTask(message: Extract<ToWorker, { type: 'region' }>): void {
  const key = JSON.stringify(message.columns);
  if (key === taskColumns) return;
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

/** Copies one plan's bytes from its region into the kernels' IO region and runs the CLI's worker task on it. */
function planChunks(
  message: Extract<ToWorker, { type: 'region' }>,
  item: RegionItem,
  bytes: RegionBytes,
  placed: () => void,
): WorkerChunk[] {
  setupTask(message);
  const plan = item.plan;
  const region = (): Uint8Array => memory(plan.ioBytes) ?? new Uint8Array(plan.ioBytes);
  const io = region();
  placePlanBytes(message.region, bytes, item, io, message.file.name);
  placed();
  rebaseListOffsets(io, plan);
  // Memory growth while the task runs detaches the region's views (it keeps their bytes): the
  // task is run again on the region taken afresh, as the CLI's worker threads run it.
  return regionRun(io, plan.ioBytes, region, (view) =>
    run(new IoRegionBatch(view, plan, message.names, message.layouts)),
  ).value.losses;
}

/**
 * Messages are handled one at a time, in the order they arrive. A region this worker reads is read
 * as soon as one of the two buffers is free (the region before the one last read into it is
 * computed), so reading the next region overlaps computing this one, and no read ever lands in a
 * buffer still in use. The page keeps a third region queued here, whose read starts the moment a
 * buffer frees.
 */
let computed: Promise<void> = Promise.resolve();
const bufferFree: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
let regions = 0;
scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type !== 'region') {
    computed = computed.then(() => handle(message));
    return;
  }
  const given = message.bytes;
  if (given !== undefined) {
    const read = Promise.resolve({
      buffer: new Uint8Array(given.buffer, 0, message.region.bytes),
      got: given.got,
    });
    computed = computed.then(() => handleRegion(message, read));
    return;
  }
  const k = regions++ % 2;
  const read = bufferFree[k]!.then(() => readers[k]!.read(message.file, message.region));
  // Its failure is reported by `handleRegion`, for each plan, in order.
  read.catch(() => undefined);
  computed = computed.then(() => handleRegion(message, read));
  bufferFree[k] = computed;
};

/** Computes each plan of a region and posts its chunks (or its error, with the batch's row). */
async function handleRegion(
  message: Extract<ToWorker, { type: 'region' }>,
  read: Promise<RegionBytes>,
): Promise<void> {
  let bytes: RegionBytes | undefined;
  let failure: unknown;
  try {
    bytes = await read;
  } catch (e) {
    failure = e;
  }
  // A buffer the page read goes back to it once the last plan's bytes are out of it, before that
  // plan's answer, so the page has it again when the region's slot frees.
  let given = message.bytes?.buffer;
  const release = (): void => {
    if (given === undefined) return;
    scope.postMessage({ type: 'free', buffer: given } satisfies FromWorker, [given]);
    given = undefined;
  };
  const items = message.region.items;
  for (const [i, item] of items.entries()) {
    const job = message.jobs[i]!;
    const last = i === items.length - 1;
    try {
      if (bytes === undefined) throw failure;
      const chunks = planChunks(message, item, bytes, last ? release : () => undefined);
      post({ type: 'chunks', job, index: item.index, part: item.part, chunks });
    } catch (e) {
      if (last) release();
      const error = errorData(e);
      // A row range's error names the row of the batch, as the CLI's worker threads name it.
      const first = item.plan.firstRow ?? 0;
      post({
        type: 'error',
        job,
        index: item.index,
        error: error.row === undefined ? error : { ...error, row: error.row + first },
      });
    }
  }
}

async function handle(message: Exclude<ToWorker, { type: 'region' }>): Promise<void> {
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
    post({ type: 'error', job: message.job, index: message.index, error: errorData(e) });
  }
}
