import {
  forgetSharedOperands,
  LossError,
  type LossErrorContext,
  type LossState,
  type Tensor,
  type TensorData,
} from '@lossflow/core';
import type { GroupKey } from '../chunks/LossChunk.js';
import type { GroupCharge } from './BatchGroupCharge.js';
import { keyRuns } from './keyRuns.js';
import { sliceRows } from './sliceRows.js';

/**
 * A batch's states per distinct key, and the end (exclusive) of each key's last row, in the same
 * order. `S` is the state type: a loss's `LossState` (the default) or a metric's `MetricState`.
 */
export interface KeyGroups<S = LossState> {
  readonly groups: { readonly key: GroupKey; readonly state: S }[];
  readonly ends: number[];
}

/**
 * The loss state of each distinct key of a batch, in the order keys first appear, so a chunk holds
 * one state per key however often the keys alternate (a state per run would grow with the runs).
 * A key's rows are computed in row order: a key with one run from a zero-copy slice (the usual
 * epoch-sorted log, as before), a key with several runs from its rows gathered into one reused
 * buffer per argument, so short runs cost a copy, not a loss call each. A loss error's row is the
 * row in the batch. With `charge`, each key's state is charged to the group budget as it is built,
 * and the key whose state would pass it fails (`TOO_MANY_GROUPS`) before its state is built.
 *
 * @example
 * const { groups, ends } = keyGroups(spec, options, args, keys, 'epoch');
 */
export function keyGroups<O, S = LossState>(
  spec: { partial(args: Tensor[], options: O): S },
  options: O,
  args: readonly Tensor[],
  keys: Tensor,
  column: string,
  charge?: GroupCharge<S>,
): KeyGroups<S> {
  // Runs as parallel arrays, chained per key (first → next → …): no object per run.
  const starts: number[] = [];
  const ends: number[] = [];
  const next: number[] = [];
  const index = new Map<GroupKey, number>();
  const order: GroupKey[] = [];
  const first: number[] = [];
  const last: number[] = [];
  const rowCount: number[] = [];
  keyRuns(keys, column, (start, end, key) => {
    const r = starts.length;
    starts.push(start);
    ends.push(end);
    next.push(-1);
    const k = index.get(key);
    if (k === undefined) {
      index.set(key, order.length);
      order.push(key);
      first.push(r);
      last.push(r);
      rowCount.push(end - start);
    } else {
      next[last[k]!] = r;
      last[k] = r;
      rowCount[k]! += end - start;
    }
  });
  let largest = 0;
  for (let k = 0; k < order.length; k++) if (first[k] !== last[k]) largest = Math.max(largest, rowCount[k]!);
  // Gathering buffers, allocated once per batch (for the largest key) and reused by every key.
  let buffers: TensorData[] | undefined;
  const groups: { key: GroupKey; state: S }[] = [];
  const groupEnds: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const r0 = first[k]!;
    charge?.before(k, starts[r0]!);
    let state: S;
    if (r0 === last[k]) {
      const start = starts[r0]!;
      try {
        state = spec.partial(
          args.map((t) => sliceRows(t, start, ends[r0]!)),
          options,
        );
      } catch (e) {
        throw e instanceof LossError && e.row !== undefined ? rowInBatch(e, e.row + start) : e;
      }
    } else {
      buffers ??= args.map(
        (t) => new (t.data.constructor as new (n: number) => TensorData)(largest * inner(t)),
      );
      // The buffers held the previous key's rows: what a sharing scope remembers of them is stale.
      for (const b of buffers) forgetSharedOperands(b.buffer);
      const gathered = args.map((t, i) => gather(t, buffers![i]!, r0, starts, ends, next, rowCount[k]!));
      try {
        state = spec.partial(gathered, options);
      } catch (e) {
        throw e instanceof LossError && e.row !== undefined
          ? rowInBatch(e, batchRow(e.row, r0, starts, ends, next))
          : e;
      }
    }
    charge?.after(state);
    groups.push({ key: order[k]!, state });
    groupEnds.push(ends[last[k]!]!);
  }
  return { groups, ends: groupEnds };
}

/** Elements per row of a row-major tensor. */
function inner(t: Tensor): number {
  const rows = t.shape[0] ?? 1;
  return rows === 0 ? 0 : t.data.length / rows;
}

/** The rows of the runs chained from run `r0`, in row order, copied into the front of `buffer`. */
function gather(
  t: Tensor,
  buffer: TensorData,
  r0: number,
  starts: readonly number[],
  ends: readonly number[],
  next: readonly number[],
  rows: number,
): Tensor {
  const n = inner(t);
  let at = 0;
  for (let r = r0; r !== -1; r = next[r]!) {
    const from = t.data.subarray(starts[r]! * n, ends[r]! * n);
    // Same typed-array type on both sides: a memory copy, no per-element value.
    (buffer as Float64Array).set(from as Float64Array, at);
    at += from.length;
  }
  return { data: buffer.subarray(0, rows * n), shape: [rows, ...t.shape.slice(1)] };
}

/** The batch row of row `row` of the rows gathered from the runs chained from `r0`. */
function batchRow(
  row: number,
  r0: number,
  starts: readonly number[],
  ends: readonly number[],
  next: readonly number[],
): number {
  let before = 0;
  for (let r = r0; r !== -1; r = next[r]!) {
    const length = ends[r]! - starts[r]!;
    if (row < before + length) return starts[r]! + row - before;
    before += length;
  }
  return row;
}

/** A group's error with its row counted in the batch instead of the group. */
function rowInBatch(e: LossError, row: number): LossError {
  const context: LossErrorContext = { row };
  if (e.loss !== undefined) context.loss = e.loss;
  if (e.argument !== undefined) context.argument = e.argument;
  if (e.hint !== undefined) context.hint = e.hint;
  return new LossError(e.code, e.detail, context);
}
