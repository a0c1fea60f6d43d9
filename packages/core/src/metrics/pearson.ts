import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import type { TensorInput } from '../tensor/tensor.js';
import { type MetricState, MOMENT_BLOCK } from './MetricState.js';
import { addOutputMoments, type Multioutput, multioutputOption } from './outputMoments.js';

/** Options of {@link pearson}. */
export interface PearsonOptions {
  /**
   * How the outputs of `(N, k)` data combine: `'uniform_average'` (default, the mean of the k
   * correlations) or `'raw_values'` (an array of k, torchmetrics' `PearsonCorrCoef(num_outputs=k)`).
   */
  multioutput?: 'uniform_average' | 'raw_values';
}

/** Every option pearson takes. */
export const pearsonOptionKeys = optionKeys<PearsonOptions>({ multioutput: true });

const NAME = 'pearson';

/**
 * The mergeable state of {@link pearson}: per output, count, means, centred sums of squares and
 * co-moment of (prediction, target), scaled by powers of two and merged with Chan's update
 * (9 float64 per output: 9·k for `(N, k)` data).
 *
 * @example
 * finalizeMetric(pearsonPartial(predictions, targets));
 */
export function pearsonPartial(
  input: TensorInput,
  target: TensorInput,
  options: PearsonOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, pearsonOptionKeys);
  const multioutput: Multioutput = multioutputOption(NAME, options.multioutput, [
    'uniform_average',
    'raw_values',
  ]);
  // The default leaves params empty, so states of earlier releases and `createMetricState('pearson')` merge.
  const params = multioutput === 'uniform_average' ? {} : { multioutput };
  return addOutputMoments(NAME, input, target, params, into);
}

/** One output's r from its moments block at `i`: NaN for a constant variable (as scipy). */
function outputPearson(m: Float64Array, i: number): number {
  if (m[i + 3] === 0 || m[i + 4] === 0) return Number.NaN;
  const r = m[i + 5]! / (Math.sqrt(m[i + 3]!) * Math.sqrt(m[i + 4]!));
  return Math.max(-1, Math.min(1, r));
}

/**
 * Pearson's r of a state per output, combined by the state's `multioutput`: NaN for fewer than 2
 * rows or a constant variable (as scipy).
 */
export function pearsonValue(state: MetricState): number | number[] {
  const m = state.moments;
  const outputs = m.length / MOMENT_BLOCK;
  const few = m.length === 0 || m[0]! < 2;
  const raw: number[] = [];
  for (let o = 0; o < outputs; o++) raw.push(few ? Number.NaN : outputPearson(m, o * MOMENT_BLOCK));
  if (state.params.multioutput === 'raw_values') return raw;
  if (few) return Number.NaN;
  let sum = 0;
  for (const v of raw) sum += v;
  return sum / outputs;
}

/**
 * Pearson correlation of predictions and targets, `scipy.stats.pearsonr` / torchmetrics'
 * `PearsonCorrCoef`: for `(N)` data over all elements; for `(N, k)` data per output (column),
 * torchmetrics' `PearsonCorrCoef(num_outputs=k)`, whose k values `multioutput: 'raw_values'`
 * returns and whose mean is the default. Scale-robust: values near 1e±300 are fine.
 *
 * @example
 * pearson([1, 2, 3, 4], [2, 4, 5, 9]); // 0.9647638212377322
 */
export function pearson(
  input: TensorInput,
  target: TensorInput,
  options: PearsonOptions = {},
): number | number[] {
  return pearsonValue(pearsonPartial(input, target, options));
}
