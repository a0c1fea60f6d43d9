import { checkOptionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { addSum, type MetricState, metricStateFor, sumAt } from './MetricState.js';
import { regressionOperands } from './regressionOperands.js';

const NAME = 'rmse';

/**
 * The mergeable state of {@link rmse}: compensated Σ (x − y)² and the element count (3 float64).
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
  const state = metricStateFor(NAME, {}, into, 'elements', { counts: 1, sums: 1 });
  if (x instanceof Float64Array || y instanceof Float64Array) state.dtype = 'float64';
  state.rows += rows;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - y[i]!) ** 2;
  addSum(state.sums, 0, s);
  state.counts[0]! += x.length;
  return state;
}

/** The root mean squared error of a state (NaN for no elements). */
export function rmseValue(state: MetricState): number {
  return state.counts.length === 0 ? Number.NaN : Math.sqrt(sumAt(state.sums, 0) / state.counts[0]!);
}

/**
 * Root mean squared error over all elements (one variable), in float64: scikit-learn's
 * `mean_squared_error(squared=False)` for one output / torchmetrics' `MeanSquaredError(squared=False)`.
 *
 * @example
 * rmse([1, 2, 3], [1, 2, 5]); // 1.1547005383792515
 */
export function rmse(input: TensorInput, target: TensorInput): number {
  return rmseValue(rmsePartial(input, target));
}
