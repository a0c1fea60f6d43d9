import { ArrowReadError, batchTensors, resolveColumns } from '@lossflow/arrow';
import { LossError, type LossState, type Tensor } from '@lossflow/core';
import type { RecordBatch, Schema } from 'apache-arrow';
import { map, pipe } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { checkRowShapes } from '../chunks/rowShapeOperator.js';
import { type BatchLossPlan, batchLoss, KEY, STEP } from '../compute/batchLoss.js';
import { batchOrigin } from '../sources/batchOrigin.js';
import { type ThreadableOperator, threadable } from '../threads/workerPlan.js';
import { splitOperatorOptions } from './operatorOptions.js';
import type { StreamOptions } from './streamOptions.js';

/**
 * How one `@lossflow/core` loss reads a record batch: the roles of its tensor arguments in call
 * order (each a column, named by the option of the same name), and its partial and `'none'` forms.
 */
export interface LossOperatorSpec<O> {
  /** The core function name. */
  readonly name: string;
  /** Tensor arguments in the core function's order; `input` and `target` have default column names. */
  readonly roles: readonly string[];
  /** Default column of other roles (else the role's own name): `{ inputLengths: 'input_lengths' }`. */
  readonly columns?: Readonly<Record<string, string>>;
  /**
   * This is `@lossflow/rx`'s own spec of the core loss `name` (see `lossSpec`), so worker threads
   * can rebuild it from the name; other specs always run in the reading thread.
   */
  readonly standard?: boolean;
  /**
   * Every option key of the core loss (its `…OptionKeys`): the operator then rejects any other key
   * (besides the roles and the stream options) when it is created. Without it, options are not checked.
   */
  readonly optionKeys?: readonly string[];
  partial(args: Tensor[], options: O, into?: LossState): LossState;
  none(args: Tensor[], options: O): Tensor;
}

/** Column names by role: `{ input: 'logits', target: 'label' }`. */
export type ColumnOptions<R extends string> = { [K in R]?: string };

/** What a loss operator does, carried by it (its `WORKER_PLAN`) so a source that computes batches elsewhere can run it. */
export interface LossOperatorPlan<O = unknown> {
  readonly spec: LossOperatorSpec<O>;
  readonly options: O;
  readonly by: string | undefined;
  readonly perRow: boolean;
  readonly nulls: 'error' | 'skip';
  /** The loss's columns (by role, the grouping and step columns under their keys) in a batch of this schema. */
  columns(schema: Schema): Record<string, string>;
  /** The chunk of one batch, computed in this thread. */
  chunk(batch: RecordBatch, index: number): LossChunk;
}

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
  const coreOptions = split.loss as O;
  const { by, perRow = false, nulls = 'error', step } = split.stream;
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
  const chunk = (batch: RecordBatch, index: number): LossChunk => {
    const file = batchOrigin(batch);
    try {
      if (batch.schema !== schema || batchPlan === undefined) {
        batchPlan = { spec, options: coreOptions, by, perRow, nulls, columns: columnsOf(batch.schema) };
        schema = batch.schema;
      }
      const plan = batchPlan;
      const part = batchLoss(plan, (columns, o) => batchTensors(batch, columns, { ...o, batchIndex: index }));
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
    columns: columnsOf,
    chunk,
  };
  // rxjs's pipe() rather than source.pipe(): a source's own pipe (FileBatches') must not see these steps.
  return threadable(pipe(map(chunk), checkRowShapes()), {
    kind: 'loss',
    plans: [plan as LossOperatorPlan],
    finish: (chunks) =>
      chunks.pipe(
        map((c) => c[0]!),
        checkRowShapes(),
      ),
  });
}

const DEFAULTED = ['input', 'target'] as const;
