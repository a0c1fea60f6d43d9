import type { TensorInput } from '../tensor/tensor.js';
import { type MetricParams, type MetricState, MOMENT_BLOCK, metricStateFor } from './MetricState.js';
import { choiceOption } from './metricOptions.js';
import { addPairMoments } from './pairMoments.js';
import { regressionOperands } from './regressionOperands.js';

/**
 * How per-output values of `(N, k)` regression data are combined, as scikit-learn's `multioutput=`:
 * `'uniform_average'` (the mean over outputs), `'raw_values'` (one value per output) or
 * `'variance_weighted'` (weighted by each output's target variance; `r2` only).
 */
export type Multioutput = 'uniform_average' | 'raw_values' | 'variance_weighted';

/**
 * The `multioutput` option of `metric`, one of `allowed` (default `'uniform_average'`).
 *
 * @example
 * const multioutput = multioutputOption('r2', options.multioutput, ['uniform_average', 'raw_values']);
 */
export function multioutputOption(
  metric: string,
  value: unknown,
  allowed: readonly Multioutput[],
): Multioutput {
  return choiceOption<Multioutput>(metric, 'multioutput', value, allowed, 'uniform_average');
}

/**
 * Adds one batch's per-output moments of (prediction, target) to `into` (or a new state of
 * `metric`): a `(N)` (or scalar) batch is one output (layout `elements`), a `(N, k, …)` batch has
 * one block per column of its rows (layout `outputs:k`). An (N, 1) batch is one output, as in scikit-learn.
 *
 * @example
 * const state = addOutputMoments('r2', predictions, targets, { multioutput: 'uniform_average' });
 */
export function addOutputMoments(
  metric: string,
  input: TensorInput,
  target: TensorInput,
  params: MetricParams,
  into?: MetricState,
): MetricState {
  const { x, y, rows, outputs } = regressionOperands(metric, input, target);
  const layout = outputs > 1 ? `outputs:${outputs}` : 'elements';
  const state = metricStateFor(metric, params, into, layout, { moments: outputs });
  if (x instanceof Float64Array || y instanceof Float64Array) state.dtype = 'float64';
  state.rows += rows;
  if (outputs === 1) addPairMoments(state.moments, 0, x, y, 0, 1, x.length);
  else {
    const n = x.length / outputs;
    for (let o = 0; o < outputs; o++) addPairMoments(state.moments, o * MOMENT_BLOCK, x, y, o, outputs, n);
  }
  return state;
}
