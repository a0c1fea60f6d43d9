import { batchTensors, resolveColumns } from '@lossflow/arrow';
import {
  createState,
  type FloatDType,
  LossError,
  type LossErrorContext,
  type LossState,
  mergeInto,
  type Tensor,
} from '@lossflow/core';
import type { RecordBatch, Schema } from 'apache-arrow';
import { map, type OperatorFunction } from 'rxjs';
import { keyRuns } from './keyRuns.js';
import type { GroupState, LossChunk } from './LossChunk.js';
import { sliceRows } from './sliceRows.js';

/** Options every loss operator takes besides the loss's own (core) options. */
export interface StreamOptions {
  /** Group states by the runs of this column's values (e.g. `'epoch'`), for `reduceGroups` / `runningGroups`. */
  by?: string;
  /** Attach the unreduced per-row losses to each chunk (for `perRowBatches`). */
  perRow?: boolean;
  /** A null in a selected column is an error (default) or drops the row (`'skip'`, counted in `skipped`). */
  nulls?: 'error' | 'skip';
}

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
  partial(args: Tensor[], options: O, into?: LossState): LossState;
  none(args: Tensor[], options: O): Tensor;
}

/** Column names by role: `{ input: 'logits', target: 'label' }`. */
export type ColumnOptions<R extends string> = { [K in R]?: string };

const STREAM_KEYS = new Set(['by', 'perRow', 'nulls']);

/**
 * Builds the RxJS operator of a loss: each record batch becomes a {@link LossChunk}. Columns are
 * resolved once per schema; a loss error is re-thrown with the batch index and the column name.
 * State is per subscription (the batch counter comes from `map`'s index).
 */
export function lossOperator<O extends object>(
  spec: LossOperatorSpec<O>,
  options: Omit<O, 'reduction'> & StreamOptions,
): OperatorFunction<RecordBatch, LossChunk> {
  const lossOptions = {} as Record<string, unknown>;
  const wanted: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(options)) {
    if (spec.roles.includes(k)) wanted[k] = v as string;
    else if (!STREAM_KEYS.has(k)) lossOptions[k] = v;
  }
  for (const role of spec.roles) {
    if (wanted[role] === undefined && role !== 'input' && role !== 'target')
      wanted[role] = spec.columns?.[role] ?? role;
  }
  const coreOptions = lossOptions as O;
  const { by, perRow = false, nulls = 'error' } = options;
  let schema: Schema | undefined;
  let columns: Record<string, string> = {};

  return map((batch: RecordBatch, index: number): LossChunk => {
    if (batch.schema !== schema) {
      columns = resolveColumns(
        batch.schema,
        wanted,
        DEFAULTED.filter((r) => spec.roles.includes(r)),
      );
      if (by !== undefined) columns = { ...columns, [KEY]: by };
      schema = batch.schema;
    }
    const roleOf = (argument: string | undefined): string | undefined => {
      const role = argument === undefined ? undefined : spec.roles.find((r) => r === argument);
      return role === undefined ? undefined : columns[role];
    };
    try {
      const { tensors, rows, skipped } = batchTensors(batch, columns, { nulls, batchIndex: index });
      const args = spec.roles.map((r) => tensors[r]!);
      let state: LossState;
      let groups: GroupState[] | undefined;
      if (by === undefined) state = spec.partial(args, coreOptions);
      else {
        // Each row is computed once, in its group; the batch's state is the merge of its groups'.
        const found: GroupState[] = [];
        keyRuns(tensors[KEY]!, by, (start, end, key) => {
          try {
            found.push({
              key,
              state: spec.partial(
                args.map((t) => sliceRows(t, start, end)),
                coreOptions,
              ),
            });
          } catch (e) {
            throw e instanceof LossError && e.row !== undefined ? rowInBatch(e, start) : e;
          }
        });
        state = found.reduce((acc, g) => mergeInto(acc, g.state), createState(spec.name, dtypeOf(args[0]!)));
        groups = found;
      }
      return {
        loss: spec.name,
        batch: index,
        rows,
        skipped,
        state,
        groups,
        perRow: perRow ? spec.none(args, coreOptions) : undefined,
        source: batch,
      };
    } catch (e) {
      if (e instanceof LossError) {
        const column = e.column ?? roleOf(e.argument);
        throw e.withContext(column === undefined ? { batch: index } : { batch: index, column });
      }
      throw e;
    }
  });
}

const DEFAULTED = ['input', 'target'] as const;

/** The role under which the grouping column travels with the loss's columns (so null-skipping keeps them aligned). */
const KEY = '\u0000key';

function dtypeOf(t: Tensor): FloatDType {
  return t.data instanceof Float32Array ? 'float32' : 'float64';
}

/** A group's error with its row counted from the start of the batch instead of the group. */
function rowInBatch(e: LossError, start: number): LossError {
  const context: LossErrorContext = { row: e.row! + start };
  if (e.loss !== undefined) context.loss = e.loss;
  if (e.argument !== undefined) context.argument = e.argument;
  if (e.hint !== undefined) context.hint = e.hint;
  return new LossError(e.code, e.detail, context);
}
