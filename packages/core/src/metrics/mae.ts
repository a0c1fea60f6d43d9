import { checkOptionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { addSum, type MetricState, metricStateFor, sumAt } from './MetricState.js';
import { regressionOperands } from './regressionOperands.js';

const NAME = 'mae';

/**
 * The mergeable state of {@link mae}: compensated Σ |x − y| and the element count (3 float64).
 *
 * @example
 * finalizeMetric(maePartial(predictions, targets));
 */
export function maePartial(
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
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]! - y[i]!);
  addSum(state.sums, 0, s);
  state.counts[0]! += x.length;
  return state;
}

/** The mean absolute error of a state (NaN for no elements). */
export function maeValue(state: MetricState): number {
  return state.counts.length === 0 ? Number.NaN : sumAt(state.sums, 0) / state.counts[0]!;
}

/**
 * Mean absolute error over all elements, in float64: scikit-learn's `mean_absolute_error` /
 * torchmetrics' `MeanAbsoluteError`.
 *
 * @example
 * mae([1, 2, 3], [1, 2, 5]); // 0.6666666666666666
 */
export function mae(input: TensorInput, target: TensorInput): number {
  return maeValue(maePartial(input, target));
}
