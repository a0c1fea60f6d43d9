import { checkOptionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { type MetricState, metricStateFor } from './MetricState.js';
import { addPairMoments } from './pairMoments.js';
import { regressionOperands } from './regressionOperands.js';

const NAME = 'pearson';

/**
 * The mergeable state of {@link pearson}: count, means, centred sums of squares and co-moment of
 * (prediction, target), merged with Chan's update (6 float64).
 *
 * @example
 * finalizeMetric(pearsonPartial(predictions, targets));
 */
export function pearsonPartial(
  input: TensorInput,
  target: TensorInput,
  options: object = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, []);
  const { x, y, rows } = regressionOperands(NAME, input, target);
  const state = metricStateFor(NAME, {}, into, 'elements', { moments: 1 });
  if (x instanceof Float64Array || y instanceof Float64Array) state.dtype = 'float64';
  state.rows += rows;
  addPairMoments(state.moments, 0, x, y);
  return state;
}

/** Pearson's r of a state: NaN for fewer than 2 elements or a constant variable (as scipy). */
export function pearsonValue(state: MetricState): number {
  const m = state.moments;
  if (m.length === 0 || m[0]! < 2 || m[3] === 0 || m[4] === 0) return Number.NaN;
  const r = m[5]! / (Math.sqrt(m[3]!) * Math.sqrt(m[4]!));
  return Math.max(-1, Math.min(1, r));
}

/**
 * Pearson correlation of predictions and targets over all elements (one variable each), as
 * `scipy.stats.pearsonr` / torchmetrics' `PearsonCorrCoef`.
 *
 * @example
 * pearson([1, 2, 3, 4], [2, 4, 5, 9]); // 0.9647638212377322
 */
export function pearson(input: TensorInput, target: TensorInput): number {
  return pearsonValue(pearsonPartial(input, target));
}
