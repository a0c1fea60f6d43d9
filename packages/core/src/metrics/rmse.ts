import { checkOptionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { addSquaredDifferences, EXACT_LAYOUT, EXACT_SUM_SIZE, exactSumValue } from './exactSum.js';
import { type MetricState, metricStateFor } from './MetricState.js';
import { regressionOperands } from './regressionOperands.js';

const NAME = 'rmse';

/**
 * The mergeable state of {@link rmse}: the element count and the exact Σ (x − y)² of the float64
 * squares (74 float64, `exactSum.ts`): the same bits for any batch split.
 *
 * @example
 * finalizeMetric(rmsePartial(predictions, targets));
 */
export function rmsePartial(
  input: TensorInput,
  target: TensorInput,
  options: object = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, []);
  const { x, y, rows } = regressionOperands(NAME, input, target);
  const state = metricStateFor(NAME, {}, into, EXACT_LAYOUT, { counts: 1 + EXACT_SUM_SIZE });
  if (x instanceof Float64Array || y instanceof Float64Array) state.dtype = 'float64';
  state.rows += rows;
  addSquaredDifferences(state.counts, 1, x, y);
  state.counts[0]! += x.length;
  return state;
}

/** The root mean squared error of a state (NaN for no elements). */
export function rmseValue(state: MetricState): number {
  return state.counts.length === 0
    ? Number.NaN
    : Math.sqrt(exactSumValue(state.counts, 1) / state.counts[0]!);
}

/**
 * Root mean squared error over all elements (one variable), in float64: scikit-learn's
 * `mean_squared_error(squared=False)` for one output / torchmetrics' `MeanSquaredError(squared=False)`.
 * For `(N, k)` data it is √ of the mean over all elements (torchmetrics), not scikit-learn's default
 * mean of the k per-output RMSEs.
 *
 * @example
 * rmse([1, 2, 3], [1, 2, 5]); // 1.1547005383792515
 */
export function rmse(input: TensorInput, target: TensorInput): number {
  return rmseValue(rmsePartial(input, target));
}
