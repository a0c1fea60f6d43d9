import type { TensorInput } from '../tensor/tensor.js';
import {
  type ClassScoreOptions,
  classScoreOptionKeys,
  classStatScoresPartial,
  classStatScoresValue,
} from './classStatScores.js';
import type { MetricState } from './MetricState.js';

/** Options of {@link f1}. */
export type F1Options = ClassScoreOptions;

/** Every option f1 takes. */
export const f1OptionKeys = classScoreOptionKeys;

/**
 * The mergeable state of {@link f1}: per-class tp, fp, fn (3·C + 1 counts; 3·L + 1 for L labels), into
 * `into` when given. Bit-identical for any split of the rows.
 *
 * @example
 * finalizeMetric(f1Partial(logits, labels, { average: 'macro' }));
 */
export function f1Partial(
  input: TensorInput,
  target: TensorInput,
  options: F1Options = {},
  into?: MetricState,
): MetricState {
  return classStatScoresPartial('f1', input, target, options, into);
}

/** The f1 of a state (an array with `average: 'none'`). */
export function f1Value(state: MetricState): number | number[] {
  return classStatScoresValue(state, 'f1');
}

/**
 * F1, the harmonic mean of precision and recall, as scikit-learn's `f1_score` / torchmetrics' `F1Score`: of argmax predictions vs class indices, or of thresholded scores vs 0/1 targets (a binary
 * `(N)` input has one label: the positive class's score). `average` micro | macro (default) |
 * weighted | none; a zero denominator scores 0 (scikit-learn's `zero_division` default); macro
 * over class indices skips classes absent from both targets and predictions.
 *
 * @example
 * f1(logits, labels, { average: 'weighted' });
 */
export function f1(input: TensorInput, target: TensorInput, options: F1Options = {}): number | number[] {
  return f1Value(f1Partial(input, target, options));
}
