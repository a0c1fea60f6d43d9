import { compensatedValue, twoSumError } from './compensatedSum.js';
import { LossError } from './LossError.js';
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
 * Merges `b` into a new state equal to the state of `a`'s rows followed by `b`'s. Associative and
 * commutative up to float64 rounding of the compensated sums (≈ 1e-16 relative).
 *
 * @example
 * const total = mergeStates(mseLossPartial(x1, y1), mseLossPartial(x2, y2));
 * finalize(total, 'mean'); // === mseLoss(concat(x1, x2), concat(y1, y2))
 */
export function mergeStates(a: LossState, b: LossState): LossState {
  if (a.loss !== b.loss) {
    throw new LossError('STATE_MISMATCH', `cannot merge a '${a.loss}' state with a '${b.loss}' state`, {
      loss: a.loss,
      hint: 'Merge only states produced by the same loss function.',
    });
  }
  const out = createState(a.loss, a.dtype === 'float32' && b.dtype === 'float32' ? 'float32' : 'float64');
  addToState(out, a.sum, a.weight, a.rows, a.meanSum);
  addToState(out, b.sum, b.weight, b.rows, b.meanSum);
  out.sumErr += a.sumErr + b.sumErr;
  out.meanSumErr += a.meanSumErr + b.meanSumErr;
  out.weightErr += a.weightErr + b.weightErr;
  return out;
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
