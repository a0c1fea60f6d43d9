import type { TensorInput } from '../tensor/tensor.js';
import {
  type ClassScoreOptions,
  classScoreOptionKeys,
  classStatScoresPartial,
  classStatScoresValue,
} from './classStatScores.js';
import type { MetricState } from './MetricState.js';

/** Options of {@link recall}. */
export type RecallOptions = ClassScoreOptions;

/** Every option recall takes. */
export const recallOptionKeys = classScoreOptionKeys;

/**
 * The mergeable state of {@link recall}: per-class tp, fp, fn (3·C + 1 counts; 3·L + 1 for L labels), into
 * `into` when given. Bit-identical for any split of the rows.
 *
 * @example
 * finalizeMetric(recallPartial(logits, labels, { average: 'macro' }));
 */
export function recallPartial(
  input: TensorInput,
  target: TensorInput,
  options: RecallOptions = {},
  into?: MetricState,
): MetricState {
  return classStatScoresPartial('recall', input, target, options, into);
}

/** The recall of a state (an array with `average: 'none'`). */
export function recallValue(state: MetricState): number | number[] {
  return classStatScoresValue(state, 'recall');
}

/**
 * Recall tp / (tp + fn), as scikit-learn's `recall_score` / torchmetrics' `Recall`: of argmax predictions vs class indices, or of thresholded scores vs 0/1 targets (a binary
 * `(N)` input has one label: the positive class's score). `average` micro | macro (default) |
 * weighted | none; a zero denominator scores 0 (scikit-learn's `zero_division` default); macro
 * over class indices skips classes absent from both targets and predictions.
 *
 * @example
 * recall(logits, labels, { average: 'weighted' });
 */
export function recall(
  input: TensorInput,
  target: TensorInput,
  options: RecallOptions = {},
): number | number[] {
  return recallValue(recallPartial(input, target, options));
}
