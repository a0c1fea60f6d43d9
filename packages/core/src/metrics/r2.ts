import { checkOptionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { addSum, type MetricState, metricStateFor, sumAt } from './MetricState.js';
import { addPairMoments } from './pairMoments.js';
import { regressionOperands } from './regressionOperands.js';

const NAME = 'r2';

/**
 * The mergeable state of {@link r2}: the moments of (prediction, target) merged with Chan's
 * update and a compensated Σ (y − x)² (8 float64).
 *
 * @example
 * finalizeMetric(r2Partial(predictions, targets));
 */
export function r2Partial(
  input: TensorInput,
  target: TensorInput,
  options: object = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, []);
  const { x, y, rows } = regressionOperands(NAME, input, target);
  const state = metricStateFor(NAME, {}, into, 'elements', { sums: 1, moments: 1 });
  if (x instanceof Float64Array || y instanceof Float64Array) state.dtype = 'float64';
  state.rows += rows;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (y[i]! - x[i]!) ** 2;
  addSum(state.sums, 0, s);
  addPairMoments(state.moments, 0, x, y);
  return state;
}

/**
 * R² of a state: 1 − SS_res / SS_tot, scikit-learn 1.2's `force_finite` rule where the targets are
 * constant (1 for a perfect fit, else 0); NaN for fewer than 2 elements, as scikit-learn.
 */
export function r2Value(state: MetricState): number {
  const m = state.moments;
  if (m.length === 0 || m[0]! < 2) return Number.NaN;
  const res = sumAt(state.sums, 0);
  const tot = m[4]!;
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/**
 * Coefficient of determination over all elements (one variable), scikit-learn's `r2_score` /
 * torchmetrics' `R2Score`. Streaming keeps the target's mean and centred sum of squares and merges
 * them with Chan's update, so large offsets do not cancel as naive Σy² − (Σy)²/n would.
 *
 * @example
 * r2([2.5, 0, 2, 8], [3, -0.5, 2, 7]); // 0.9486081370449679
 */
export function r2(input: TensorInput, target: TensorInput): number {
  return r2Value(r2Partial(input, target));
}
