import { LossError } from '../LossError.js';
import { createState, type FloatDType, type LossState } from './LossState.js';

/**
 * The state a `*Partial` call adds its rows to: `into` when given (checked to belong to `loss`, and
 * widened to float64 once a float64 batch joins float32 ones), otherwise a new one. A stream thus
 * allocates one state, not one per batch.
 *
 * @example
 * const state = partialState('crossEntropy', 'float32', into);
 * addToState(state, batchSum, batchWeight, batchRows);
 */
export function partialState(loss: string, dtype: FloatDType, into: LossState | undefined): LossState {
  if (into === undefined) return createState(loss, dtype);
  if (into.loss !== loss) {
    throw new LossError('STATE_MISMATCH', `cannot add ${loss} rows into a '${into.loss}' state`, {
      loss,
      argument: 'into',
      hint: `Pass a state created by ${loss}Partial or createState('${loss}').`,
    });
  }
  if (into.dtype !== dtype) into.dtype = 'float64';
  return into;
}
