/**
 * The task the worker threads of a threaded `fromFile` run (see `mapBatchesInWorkers`): every
 * loss and metric of the pipeline over each batch, with the same code as the reading thread
 * (`batchLoss`, `batchMetric`).
 * Batches are read into the WebAssembly kernels' IO region, so the kernels read them in place.
 * Loaded by URL in each worker: it imports nothing that pulls in apache-arrow or RxJS.
 */
import type { WorkerBatch } from '@lossflow/arrow/worker';
import { type KernelBackend, type LossState, setKernelBackend } from '@lossflow/core';
import { adoptCompiledKernels, wasmKernels } from '@lossflow/core/kernels';
import type { ChunkSteps, GroupState, RowDtypes, RowShapes } from '../chunks/LossChunk.js';
import { BatchGroupCharge } from '../compute/BatchGroupCharge.js';
import { type BatchLossPlan, batchLoss } from '../compute/batchLoss.js';
import { type BatchMetric, type BatchMetricPlan, batchMetric } from '../compute/batchMetric.js';
import { sharedMetricPass } from '../compute/sharedMetricPass.js';
import { tensorsOncePerBatch } from '../compute/tensorsOncePerBatch.js';
import type { BatchGroupLimits } from '../reduce/GroupBudget.js';
import { registrySpec } from '../specs/registrySpec.js';
import { registerLossErrorCodec } from './lossErrorCodec.js';

// A LossError thrown here reaches the reading thread as a LossError, with its code and context.
registerLossErrorCodec();

// For a `mapBatchesInWorkers` task of the user's own: registered in its module and the reading thread.
export { registerLossErrorCodec };

/** One loss as the reading thread resolved it for the file's schema. */
export interface WorkerLossPlan {
  /** The registry loss's name: the worker rebuilds its spec (roles, columns, forms) from it. */
  readonly name: string;
  readonly options: unknown;
  readonly by: string | undefined;
  readonly nulls: 'error' | 'skip';
  readonly columns: Readonly<Record<string, string>>;
  /** With `by`: the group budget's bounds, charged as each batch's group states are built. */
  readonly groupLimits?: BatchGroupLimits | undefined;
}

/** What the workers are set up with: the reading thread's kernel backend, the losses and the metrics. */
export interface LossTaskData {
  readonly kernels: KernelBackend;
  /** The reading thread's compiled kernel module (`compiledKernels`), instantiated here rather than compiled again. */
  readonly compiled?: object;
  readonly losses: readonly WorkerLossPlan[];
  /** The metrics as the reading thread resolved them for the file's schema (none when absent). */
  readonly metrics?: readonly BatchMetricPlan[];
}

/** One loss over one batch, as posted back. */
export interface WorkerLoss {
  readonly rows: number;
  readonly skipped: number;
  readonly state: LossState;
  readonly groups: GroupState[] | undefined;
  readonly steps: ChunkSteps | undefined;
  readonly rowShapes: RowShapes | undefined;
  readonly rowDtypes: RowDtypes | undefined;
}

/** Every loss and metric over one batch, as posted back. */
export interface WorkerPass {
  readonly losses: WorkerLoss[];
  readonly metrics: BatchMetric[];
}

let plans: BatchLossPlan<unknown>[] = [];
let metricPlans: readonly BatchMetricPlan[] = [];

/** Rebuilds the losses' specs by name from the loss registry, keeps the metrics, and takes the reading thread's kernel backend. */
export function setup(data: LossTaskData): void {
  if (data.kernels !== 'auto') adoptCompiledKernels(data.kernels, data.compiled);
  setKernelBackend(data.kernels);
  plans = data.losses.map((l) => ({
    spec: registrySpec(l.name),
    options: l.options,
    by: l.by,
    perRow: false,
    nulls: l.nulls,
    columns: l.columns,
    groupLimits: l.groupLimits,
  }));
  metricPlans = data.metrics ?? [];
}

/** The WebAssembly kernels' IO region, so the batch is read where the kernels read it; else the worker's own. */
export function memory(bytes: number): Uint8Array | undefined {
  return wasmKernels()?.ioBuffer(bytes);
}

/** Every loss and every metric over the batch. */
export function run(batch: WorkerBatch): WorkerPass {
  // Losses and metrics reading the same columns share one build of their tensors.
  const tensorsOf = tensorsOncePerBatch((columns, o) => batch.tensors(columns, o));
  // Every loss's and metric's group states of this batch are held until it is posted: one charge.
  const charge = new BatchGroupCharge();
  // The losses first, in the metrics' scope: a cross-entropy then reads the logits for both.
  return sharedMetricPass(
    metricPlans,
    () => ({
      losses: plans.map((plan) => {
        const { rows, skipped, state, groups, steps, rowShapes, rowDtypes } = batchLoss(
          plan,
          tensorsOf,
          charge,
        );
        return { rows, skipped, state, groups, steps, rowShapes, rowDtypes };
      }),
      metrics: metricPlans.map((plan) => batchMetric(plan, tensorsOf, charge)),
    }),
    true,
  );
}
