import type { BatchTensors, BatchTensorsOptions } from '@lossflow/arrow';
import {
  createState,
  type FloatDType,
  LossError,
  type LossState,
  mergeInto,
  type Tensor,
} from '@lossflow/core';
import type { ChunkSteps, GroupState, RowDtypes, RowShapes } from '../chunks/LossChunk.js';
import { rowDtypesOf, rowShapesOf } from '../chunks/rowShapes.js';
import { type BatchGroupLimits, LOSS_GROUP_BYTES } from '../reduce/GroupBudget.js';
import type { LossOperatorSpec } from '../specs/LossOperatorSpec.js';
import { BatchGroupCharge } from './BatchGroupCharge.js';
import { errorAtRow } from './errorAtRow.js';
import { keyGroups } from './keyGroups.js';

/** The role under which the grouping column travels with the loss's columns (so null-skipping keeps them aligned). */
export const KEY = '\u0000key';

/** The role under which the step column travels with the loss's columns, for the same reason. */
export const STEP = '\u0000step';

/** How one loss reads batches: its spec, core options, stream options and resolved columns. */
export interface BatchLossPlan<O> {
  readonly spec: LossOperatorSpec<O>;
  readonly options: O;
  readonly by: string | undefined;
  readonly perRow: boolean;
  readonly nulls: 'error' | 'skip';
  /** Column by role, the grouping column under {@link KEY}, the step column under {@link STEP}. */
  readonly columns: Readonly<Record<string, string>>;
  /** With `by`: the group budget's bounds, charged as the batch's group states are built. */
  readonly groupLimits?: BatchGroupLimits | undefined;
}

/** What one loss computes from one batch: plain data (but `perRow`), so a worker thread can post it. */
export interface BatchLoss {
  readonly rows: number;
  readonly skipped: number;
  readonly state: LossState;
  readonly groups: GroupState[] | undefined;
  readonly perRow: Tensor | undefined;
  readonly steps: ChunkSteps | undefined;
  /** The row shape of each role's column (see `LossChunk.rowShapes`); `undefined` for a batch without rows. */
  readonly rowShapes: RowShapes | undefined;
  /** The float type of each float role's column (see `LossChunk.rowDtypes`); `undefined` for a batch without rows. */
  readonly rowDtypes: RowDtypes | undefined;
}

/**
 * One loss over one batch, whose tensors `tensorsOf` makes (from an apache-arrow batch in this
 * thread, from the buffers a worker read in a worker thread), so both compute the same states. A
 * `LossError` gets the column of its argument; the caller adds the batch index. With
 * `plan.groupLimits`, the groups' states are charged to `charge` (shared by the losses and metrics
 * computed from the same batch; a fresh one by default) as they are built.
 *
 * @example
 * const part = batchLoss(plan, (columns, o) => batchTensors(batch, columns, { ...o, batchIndex }));
 */
export function batchLoss<O>(
  plan: BatchLossPlan<O>,
  tensorsOf: (columns: Readonly<Record<string, string>>, options: BatchTensorsOptions) => BatchTensors,
  charge?: BatchGroupCharge,
): BatchLoss {
  const { spec, options, by, columns } = plan;
  // The batch's row of each row the tensors hold, when nulls dropped rows (`nulls: 'skip'`).
  let keep: Int32Array | undefined;
  try {
    // The step column only labels rows: its nulls neither fail nor drop a row (they read as NaN).
    const made = tensorsOf(columns, { nulls: plan.nulls, nullable: [STEP] });
    const { tensors, rows, skipped, nulls } = made;
    keep = made.keep;
    const args = spec.roles.map((r) => tensors[r]!);
    let state: LossState;
    let groups: GroupState[] | undefined;
    const step = tensors[STEP];
    let groupEnds: readonly number[] = [];
    if (by === undefined) state = spec.partial(args, options);
    else {
      // Each row is computed once, in its key's state; the batch's state is the merge of those.
      const limits = plan.groupLimits;
      const keyed = keyGroups(
        spec,
        options,
        args,
        tensors[KEY]!,
        by,
        limits === undefined
          ? undefined
          : (charge ?? new BatchGroupCharge()).stream(limits, spec.name, by, () => LOSS_GROUP_BYTES),
      );
      groups = keyed.groups;
      groupEnds = keyed.ends;
      state = groups.reduce((acc, g) => mergeInto(acc, g.state), createState(spec.name, dtypeOf(args[0]!)));
    }
    const steps =
      step === undefined
        ? undefined
        : {
            last: stepAt(step, nulls?.[STEP], rows - 1, columns[STEP]!),
            groups:
              groups === undefined
                ? undefined
                : groupEnds.map((end) => stepAt(step, nulls?.[STEP], end - 1, columns[STEP]!)),
          };
    return {
      rows,
      skipped,
      state,
      groups,
      perRow: plan.perRow ? spec.none(args, options) : undefined,
      steps,
      rowShapes: rows === 0 ? undefined : rowShapesOf(spec.roles, columns, tensors),
      rowDtypes: rows === 0 ? undefined : rowDtypesOf(spec.roles, columns, tensors),
    };
  } catch (thrown) {
    // A loss names a row of the rows kept: the error must name the batch's row.
    const rows = keep;
    const e = rows === undefined ? thrown : errorAtRow(thrown, (row) => rows[row] ?? row);
    if (e instanceof LossError && e.column === undefined && e.argument !== undefined) {
      const column = spec.roles.includes(e.argument) ? columns[e.argument] : undefined;
      if (column !== undefined) throw e.withContext({ column });
    }
    throw e;
  }
}

/** The step column's value at `row` as a number (NaN where it is null, or for a batch without rows). */
function stepAt(step: Tensor, nulls: Uint8Array | undefined, row: number, column: string): number {
  if (step.shape.length !== 1) {
    throw new LossError('INVALID_SHAPE', 'the step column must hold one scalar per row', {
      column,
      hint: 'Pass a scalar column such as step.',
    });
  }
  const v = step.data[row];
  return v === undefined || nulls?.[row] === 1 ? Number.NaN : Number(v);
}

function dtypeOf(t: Tensor): FloatDType {
  return t.data instanceof Float32Array ? 'float32' : 'float64';
}
