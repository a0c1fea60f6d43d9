/// <reference lib="webworker" />
import { IoRegionBatch, rebaseListOffsets, regionRun } from '@lossflow/arrow/worker';
import { setKernelBackend } from '@lossflow/core';
import type { LossOperatorPlan } from '@lossflow/rx';
import { memory, run, setup } from '@lossflow/rx/worker';
import type { RecordBatch } from 'apache-arrow';
import { batchOfMessage, forgetSchemas } from './batchMessage.js';
import type { EvalSpec } from './evalSpec.js';
import { walkIpcChain } from './ipcChain.js';
import { lossPlans, rangeColumns } from './lossOperators.js';
import type { RegionItem } from './ReadRegion.js';
import { SpanReader } from './SpanReader.js';
import {
  type ChainBatch,
  errorData,
  type FromWorker,
  type ToWorker,
  type WorkerChunk,
} from './workerMessages.js';

/**
 * A compute worker: one per core. Batches of an Arrow IPC stream come as a region (a span of the
 * file of up to tens of MiB): the read plans (a batch whole, or one of its row ranges) of
 * consecutive batches and the few byte ranges of the `File` that hold them, which this worker
 * reads itself, each through one stream into a reused window, computing each plan as soon as its
 * bytes are in (so the workers read the file in parallel). It copies each plan's bytes into the WebAssembly kernels' IO region and computes it with the task the CLI's worker
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
/** The reader of the regions' spans, its windows reused from region to region. */
const spans = new SpanReader();

function post(message: FromWorker): void {
  scope.postMessage(message);
}

/** Sets the CLI's worker task up for the columns of `message` (once per file's columns). */
function setupTask(message: Extract<ToWorker, { type: 'region' | 'chain' }>): void {
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
  message: Extract<ToWorker, { type: 'region' | 'chain' }>,
  item: RegionItem,
): WorkerChunk[] {
  setupTask(message);
  const plan = item.plan;
  const region = (): Uint8Array => memory(plan.ioBytes) ?? new Uint8Array(plan.ioBytes);
  const io = region();
  spans.copy(item, io, message.file.name);
  rebaseListOffsets(io, plan);
  // Memory growth while the task runs detaches the region's views (it keeps their bytes): the
  // task is run again on the region taken afresh, as the CLI's worker threads run it.
  return regionRun(io, plan.ioBytes, region, (view) =>
    run(new IoRegionBatch(view, plan, message.names, message.layouts)),
  ).value.losses;
}

/**
 * Messages are handled one at a time, in the order they arrive: a region's plans are loaded and
 * computed in order, and the next region waits here (its plans are few numbers) until this one
 * is done.
 */
let computed: Promise<void> = Promise.resolve();
scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  computed = computed.then(() =>
    message.type === 'region'
      ? handleRegion(message)
      : message.type === 'chain'
        ? handleChain(message)
        : handle(message),
  );
};

/** Walks a region of the stream from message to message, computing each batch, and posts what it found. */
async function handleChain(message: Extract<ToWorker, { type: 'chain' }>): Promise<void> {
  const { file, region } = message;
  const bytes = file.size - region.start;
  spans.open(file, { segments: [region.start, bytes, 0], bytes, sequential: true, items: [] });
  const batches: ChainBatch[] = [];
  try {
    const { error, ...outcome } = await walkIpcChain(
      file,
      spans,
      region,
      message.names,
      message.layouts,
      (item, end) => batches.push({ rows: item.plan.rows, end, chunks: planChunks(message, item) }),
    );
    post({
      type: 'chain',
      job: message.job,
      ...outcome,
      batches,
      error: error === undefined ? undefined : errorData(error),
    });
  } finally {
    await spans.close();
  }
}

/** Reads and computes each plan of a region and posts its chunks (or its error, with the batch's row). */
async function handleRegion(message: Extract<ToWorker, { type: 'region' }>): Promise<void> {
  spans.open(message.file, message.region);
  try {
    for (const [i, item] of message.region.items.entries()) {
      const job = message.jobs[i]!;
      try {
        await spans.load(item);
        post({ type: 'chunks', job, index: item.index, part: item.part, chunks: planChunks(message, item) });
      } catch (e) {
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
  } finally {
    await spans.close();
  }
}

async function handle(message: Exclude<ToWorker, { type: 'region' | 'chain' }>): Promise<void> {
  if (message.type === 'warm') {
    // Started ahead of a run: the kernels are compiled now, not when the run starts. Where they
    // cannot load, `init` reports it in the run's words.
    try {
      setKernelBackend('wasm');
    } catch {}
    return;
  }
  if (message.type === 'init') {
    // A worker may be kept from an earlier run: nothing of that run's is used again.
    forgetSchemas();
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
