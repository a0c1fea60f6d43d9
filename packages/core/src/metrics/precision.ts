import type { TensorInput } from '../tensor/tensor.js';
import {
  type ClassScoreOptions,
  classScoreOptionKeys,
  classStatScoresPartial,
  classStatScoresValue,
} from './classStatScores.js';
import type { MetricState } from './MetricState.js';

/** Options of {@link precision}. */
export type PrecisionOptions = ClassScoreOptions;

/** Every option precision takes. */
export const precisionOptionKeys = classScoreOptionKeys;

/**
 * The mergeable state of {@link precision}: per-class tp, fp, fn (3·C + 1 counts; 3·L + 1 for L labels), into
 * `into` when given. Bit-identical for any split of the rows.
 *
 * @example
 * finalizeMetric(precisionPartial(logits, labels, { average: 'macro' }));
 */
export function precisionPartial(
  input: TensorInput,
  target: TensorInput,
  options: PrecisionOptions = {},
  into?: MetricState,
): MetricState {
  return classStatScoresPartial('precision', input, target, options, into);
}

/** The precision of a state (an array with `average: 'none'`). */
export function precisionValue(state: MetricState): number | number[] {
  return classStatScoresValue(state, 'precision');
}

/**
 * Precision tp / (tp + fp), as scikit-learn's `precision_score` / torchmetrics' `Precision`: of argmax predictions vs class indices, or of thresholded scores vs 0/1 targets (a binary
 * `(N)` input has one label: the positive class's score). `average` micro | macro (default) |
 * weighted | none; a zero denominator scores 0 (scikit-learn's `zero_division` default); macro
 * over class indices skips classes absent from both targets and predictions.
 *
 * @example
 * precision(logits, labels, { average: 'weighted' });
 */
export function precision(
  input: TensorInput,
  target: TensorInput,
  options: PrecisionOptions = {},
): number | number[] {
  return precisionValue(precisionPartial(input, target, options));
}
