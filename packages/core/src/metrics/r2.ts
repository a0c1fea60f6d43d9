import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { type MetricState, MOMENT_BLOCK, NO_MAGNITUDE } from './MetricState.js';
import { addOutputMoments, type Multioutput, multioutputOption } from './outputMoments.js';

/** Options of {@link r2}. */
export interface R2Options {
  /**
   * How the outputs of `(N, k)` data combine, as scikit-learn's `r2_score(multioutput=)`:
   * `'uniform_average'` (default), `'raw_values'` (an array of k) or `'variance_weighted'`.
   */
  multioutput?: Multioutput;
}

/** Every option r2 takes. */
export const r2OptionKeys = optionKeys<R2Options>({ multioutput: true });

const NAME = 'r2';

/**
 * The mergeable state of {@link r2}: per output, the moments of (prediction, target) merged with
 * Chan's update and the residual sum of squares (9 float64 per output: 9·k for `(N, k)` data).
 *
 * @example
 * finalizeMetric(r2Partial(predictions, targets));
 */
export function r2Partial(
  input: TensorInput,
  target: TensorInput,
  options: R2Options = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, r2OptionKeys);
  const multioutput = multioutputOption(NAME, options.multioutput, [
    'uniform_average',
    'raw_values',
    'variance_weighted',
  ]);
  // The default leaves params empty, so states of earlier releases and `createMetricState('r2')` merge.
  const params = multioutput === 'uniform_average' ? {} : { multioutput };
  return addOutputMoments(NAME, input, target, params, into);
}

/** One output's R² from its moments block at `i`: scikit-learn 1.2's `force_finite` for constant targets. */
function outputR2(m: Float64Array, i: number): number {
  const res = m[i + 6]!;
  const tot = m[i + 4]!;
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/**
 * R² of a state: 1 − SS_res / SS_tot per output, scikit-learn 1.2's `force_finite` rule where an
 * output's targets are constant (1 for a perfect fit, else 0), combined by the state's
 * `multioutput`; NaN for fewer than 2 rows, as scikit-learn.
 */
export function r2Value(state: MetricState): number | number[] {
  const m = state.moments;
  const outputs = m.length / MOMENT_BLOCK;
  const raw: number[] = [];
  const few = m.length === 0 || m[0]! < 2;
  for (let o = 0; o < outputs; o++) raw.push(few ? Number.NaN : outputR2(m, o * MOMENT_BLOCK));
  const multioutput = state.params.multioutput;
  if (multioutput === 'raw_values') return raw;
  if (few) return Number.NaN;
  if (multioutput === 'variance_weighted') {
    // Target variances share no scale across outputs: weigh with SS_tot taken to the largest
    // output's scale (relative weights, so 1e±160 targets neither overflow nor underflow them).
    let top = NO_MAGNITUDE;
    for (let o = 0; o < outputs; o++) top = Math.max(top, m[o * MOMENT_BLOCK + 8]!);
    let weights = 0;
    let sum = 0;
    for (let o = 0; o < outputs; o++) {
      const w = m[o * MOMENT_BLOCK + 4]! * 4 ** (m[o * MOMENT_BLOCK + 8]! - top);
      weights += w;
      sum += w * raw[o]!;
    }
    // All targets constant: scikit-learn averages the force_finite scores uniformly.
    if (weights > 0 && Number.isFinite(weights)) return sum / weights;
  }
  let sum = 0;
  for (const v of raw) sum += v;
  return sum / outputs;
}

/**
 * Coefficient of determination, scikit-learn's `r2_score` / torchmetrics' `R2Score`: for `(N)`
 * data over all elements; for `(N, k)` data per output (column), then `multioutput` (default the
 * uniform average, as both). Streaming keeps each output's target mean and centred sum of squares
 * and merges them with Chan's update, so large offsets do not cancel as naive Σy² − (Σy)²/n would.
 *
 * @example
 * r2([2.5, 0, 2, 8], [3, -0.5, 2, 7]); // 0.9486081370449679
 */
export function r2(input: TensorInput, target: TensorInput, options: R2Options = {}): number | number[] {
  return r2Value(r2Partial(input, target, options));
}
