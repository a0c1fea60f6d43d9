import { ArrowReadError, resolveColumns } from '@lossflow/arrow';
import { LossError } from '@lossflow/core';
import type { RecordBatch, Schema } from 'apache-arrow';
import { map, pipe } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { checkRowShapes } from '../chunks/rowShapeOperator.js';
import { type BatchLossPlan, KEY, STEP } from '../compute/batchLoss.js';
import { batchOrigin } from '../sources/batchOrigin.js';
import type { LossOperatorSpec } from '../specs/LossOperatorSpec.js';
import { batchLossInRanges, rangeRowsOf } from '../threads/batchLossInRanges.js';
import { type LossOperatorPlan, type ThreadableOperator, threadable } from '../threads/workerPlan.js';
import { splitOperatorOptions } from './operatorOptions.js';
import { plainTensorOptions } from './plainTensorOptions.js';
import type { StreamOptions } from './streamOptions.js';

/** Column names by role: `{ input: 'logits', target: 'label' }`. */
export type ColumnOptions<R extends string> = { [K in R]?: string };

/**
 * Builds the RxJS operator of a loss: each record batch becomes a {@link LossChunk}. Columns are
 * resolved once per schema; a loss error is re-thrown with the batch index, the column name and
 * (for batches `fromFile` read in this thread) the file. Unknown option keys are rejected here,
 * before any batch; a row shape that changes between batches fails the stream (`SHAPE_CHANGED`).
 * State is per subscription (the batch counter comes from `map`'s index). The operator carries
 * its plan (see `WORKER_PLAN`): piped straight after `fromFile(path, { threads })` of
 * `@lossflow/rx/node`, the batches are read and computed in worker threads instead.
 */
export function lossOperator<O extends object>(
  spec: LossOperatorSpec<O>,
  options: Omit<O, 'reduction'> & StreamOptions,
): ThreadableOperator<LossChunk> {
  const split = splitOperatorOptions(spec, options);
  const wanted = split.columns;
  for (const role of spec.roles) {
    if (wanted[role] === undefined && role !== 'input' && role !== 'target')
      wanted[role] = spec.columns?.[role] ?? role;
  }
  // The same plain values here and in worker threads (a class instance's getters do not survive a clone).
  const coreOptions = plainTensorOptions(spec.name, split.loss) as O;
  const { by, perRow = false, nulls = 'error', step, groupBudget } = split.stream;
  const groupLimits = by === undefined ? undefined : groupBudget?.batchLimits;
  const columnsOf = (schema: Schema): Record<string, string> => {
    const columns = resolveColumns(
      schema,
      wanted,
      DEFAULTED.filter((r) => spec.roles.includes(r)),
    );
    return {
      ...columns,
      ...(by === undefined ? {} : { [KEY]: by }),
      ...(step === undefined ? {} : { [STEP]: step }),
    };
  };
  let schema: Schema | undefined;
  let batchPlan: BatchLossPlan<O> | undefined;
  const chunk = (batch: RecordBatch, index: number, rangeColumns?: readonly string[]): LossChunk => {
    const file = batchOrigin(batch);
    try {
      if (batch.schema !== schema || batchPlan === undefined) {
        batchPlan = {
          spec,
          options: coreOptions,
          by,
          perRow,
          nulls,
          columns: columnsOf(batch.schema),
          groupLimits,
        };
        schema = batch.schema;
      }
      // In the row ranges of a threaded fromFile, so any thread count (0 too) gives the same bits.
      // Per batch: a list column's ranges depend on the batch's list lengths.
      const step = rangeRowsOf(batch, rangeColumns ?? Object.values(batchPlan.columns));
      const part = batchLossInRanges(batchPlan, batch, index, step);
      return {
        loss: spec.name,
        batch: index,
        ...part,
        source: batch,
        ...(file === undefined ? {} : { file }),
      };
    } catch (e) {
      // The file too, when fromFile read the batch here: a batch index alone does not name a file.
      const where = file === undefined ? { batch: index } : { batch: index, file };
      if (e instanceof LossError || e instanceof ArrowReadError) throw e.withContext(where);
      throw e;
    }
  };
  const plan: LossOperatorPlan<O> = {
    spec,
    options: coreOptions,
    by,
    perRow,
    nulls,
    groupLimits,
    columns: columnsOf,
    chunk,
  };
  // rxjs's pipe() rather than source.pipe(): a source's own pipe (FileBatches') must not see these steps.
  return threadable(pipe(map(chunk), checkRowShapes()), {
    kind: 'loss',
    plans: [plan as LossOperatorPlan],
    metrics: [],
    finish: (chunks) =>
      chunks.pipe(
        map((c) => c.losses[0]!),
        checkRowShapes(),
      ),
  });
}

const DEFAULTED = ['input', 'target'] as const;
