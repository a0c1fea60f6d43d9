import { checkOptionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { addAbsDifferences, EXACT_LAYOUT, EXACT_SUM_SIZE, exactSumValue } from './exactSum.js';
import { type MetricState, metricStateFor } from './MetricState.js';
import { regressionOperands } from './regressionOperands.js';

const NAME = 'mae';

/**
 * The mergeable state of {@link mae}: the element count and the exact Σ |x − y|
 * (74 float64, `exactSum.ts`): the same bits for any batch split.
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
  const state = metricStateFor(NAME, {}, into, EXACT_LAYOUT, { counts: 1 + EXACT_SUM_SIZE });
  if (x instanceof Float64Array || y instanceof Float64Array) state.dtype = 'float64';
  state.rows += rows;
  addAbsDifferences(state.counts, 1, x, y);
  state.counts[0]! += x.length;
  return state;
}

/** The mean absolute error of a state (NaN for no elements). */
export function maeValue(state: MetricState): number {
  return state.counts.length === 0 ? Number.NaN : exactSumValue(state.counts, 1) / state.counts[0]!;
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
