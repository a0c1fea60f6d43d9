import { LossError } from '../LossError.js';
import { compensatedValue, twoSumError } from './compensatedSum.js';
import type { StateReduction } from './reduction.js';

/** Float type a loss was computed for; a float32 result is rounded to float32 at the end only. */
export type FloatDType = 'float32' | 'float64';

/**
 * The mergeable partial result of a loss over some rows. All sums are float64 with a compensation
 * term, so merging the states of any split of the rows gives the one-shot value (to ~1 ulp).
 *
 * - `'sum'` finalizes to `sum`;
 * - `'mean'` to `meanSum / weight` (`meanSum` equals `sum` for every loss but CTC, whose mean
 *   divides each sample's loss by its target length first; `weight` is the element count, the
 *   non-ignored class-weight sum for NLL/CE, or the sample count);
 * - `'batchmean'` (KL only) to `sum / rows`.
 *
 * States are plain mutable objects: accumulate into one with the `*Partial` functions' `into`
 * argument, so a stream allocates one state, not one per batch.
 */
export interface LossState {
  /** The `@lossflow/core` function that produced it; states of different losses do not merge. */
  readonly loss: string;
  dtype: FloatDType;
  sum: number;
  sumErr: number;
  meanSum: number;
  meanSumErr: number;
  weight: number;
  weightErr: number;
  /** Size of dimension 0 (samples) seen so far: the `'batchmean'` denominator. */
  rows: number;
}

/** An empty state for `loss` (the identity of {@link mergeStates}). */
export function createState(loss: string, dtype: FloatDType = 'float64'): LossState {
  return { loss, dtype, sum: 0, sumErr: 0, meanSum: 0, meanSumErr: 0, weight: 0, weightErr: 0, rows: 0 };
}

/**
 * Adds one batch's float64 totals to `state` with compensation. `meanSum` defaults to `sum`.
 * Loss implementations call this once per batch; it does not allocate.
 */
export function addToState(
  state: LossState,
  sum: number,
  weight: number,
  rows: number,
  meanSum: number = sum,
): LossState {
  let s = state.sum + sum;
  state.sumErr += twoSumError(state.sum, sum, s);
  state.sum = s;
  s = state.meanSum + meanSum;
  state.meanSumErr += twoSumError(state.meanSum, meanSum, s);
  state.meanSum = s;
  s = state.weight + weight;
  state.weightErr += twoSumError(state.weight, weight, s);
  state.weight = s;
  state.rows += rows;
  return state;
}

/**
 * Adds everything `from` holds into `into` (mutating and returning `into`): the allocation-free
 * form of {@link mergeStates} for running accumulators.
 */
export function mergeInto(into: LossState, from: LossState): LossState {
  if (into.loss !== from.loss) {
    throw new LossError('STATE_MISMATCH', `cannot merge a '${from.loss}' state into a '${into.loss}' state`, {
      loss: into.loss,
      hint: 'Merge only states produced by the same loss function.',
    });
  }
  if (from.dtype === 'float64') into.dtype = 'float64';
  addToState(into, from.sum, from.weight, from.rows, from.meanSum);
  into.sumErr += from.sumErr;
  into.meanSumErr += from.meanSumErr;
  into.weightErr += from.weightErr;
  return into;
}

/**
 * Merges two states into a new one equal to the state of `a`'s rows followed by `b`'s. Associative
 * and commutative up to float64 rounding of the compensated sums (≈ 1e-16 relative).
 *
 * @example
 * const total = mergeStates(mseLossPartial(x1, y1), mseLossPartial(x2, y2));
 * finalize(total, 'mean'); // === mseLoss over the rows of both batches
 */
export function mergeStates(a: LossState, b: LossState): LossState {
  const out = mergeInto(createState(a.loss, a.dtype), a);
  return mergeInto(out, b);
}

/**
 * The reduced loss of everything accumulated in `state`, exactly as torch's `reduction=` would give
 * it over all rows at once: `'mean'` of nothing is NaN and `'sum'` of nothing is 0, as in torch.
 */
export function finalize(state: LossState, reduction: StateReduction = 'mean'): number {
  const sum = compensatedValue(state.sum, state.sumErr);
  let value: number;
  if (reduction === 'sum') value = sum;
  else if (reduction === 'mean')
    value =
      compensatedValue(state.meanSum, state.meanSumErr) / compensatedValue(state.weight, state.weightErr);
  else if (reduction === 'batchmean' && state.loss === 'klDiv') value = sum / state.rows;
  else {
    throw new LossError(
      'INVALID_REDUCTION',
      `${JSON.stringify(reduction)} is not a valid value for reduction`,
      {
        loss: state.loss,
        argument: 'reduction',
        hint: state.loss === 'klDiv' ? "Use 'mean', 'sum' or 'batchmean'." : "Use 'mean' or 'sum'.",
      },
    );
  }
  return state.dtype === 'float32' ? Math.fround(value) : value;
}
