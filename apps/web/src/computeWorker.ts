/// <reference lib="webworker" />
import { setKernelBackend } from '@lossflow/core';
import type { LossOperatorPlan } from '@lossflow/rx';
import type { RecordBatch } from 'apache-arrow';
import { batchOfMessage } from './batchMessage.js';
import { batchOfSpan } from './batchSpan.js';
import { lossPlans, rangeColumns } from './lossOperators.js';
import { errorData, type FromWorker, type ToWorker, type WorkerChunk } from './workerMessages.js';

/**
 * A compute worker: one per core. Each batch it is given is computed with the loss operators'
 * own chunk function (`LossOperatorPlan.chunk`), in the row ranges the CLI's worker pool cuts it
 * into, so the page merges the same states in the same order as the CLI and gets its bits.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
let plans: LossOperatorPlan[] = [];

function post(message: FromWorker): void {
  scope.postMessage(message);
}

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'init') {
    try {
      setKernelBackend(message.spec.kernels);
      plans = lossPlans(message.spec);
      post({ type: 'ready', kernels: message.spec.kernels });
    } catch (e) {
      post({ type: 'error', index: undefined, error: errorData(e) });
    }
    return;
  }
  try {
    const batch: RecordBatch =
      message.type === 'span'
        ? await batchOfSpan(message.file, message.schema, message.start, message.end)
        : batchOfMessage(message.batch);
    const columns = rangeColumns(plans, batch.schema);
    const chunks: WorkerChunk[] = plans.map((plan) => {
      const c = plan.chunk(batch, message.index, columns);
      return {
        rows: c.rows,
        skipped: c.skipped,
        state: c.state,
        groups: c.groups,
        steps: c.steps,
        rowShapes: c.rowShapes,
        rowDtypes: c.rowDtypes,
      };
    });
    post({ type: 'chunks', index: message.index, chunks });
  } catch (e) {
    post({ type: 'error', index: message.index, error: errorData(e) });
  }
};
