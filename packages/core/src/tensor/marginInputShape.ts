import { LossError } from '../LossError.js';
import { showShape } from './operands.js';

/** The samples and classes of a multi-class margin loss's scores. */
export interface MarginInputShape {
  /** Whether the scores are a matrix `[N, C]` (else one sample `[C]`, or a 0-d score). */
  readonly batched: boolean;
  readonly rows: number;
  readonly classes: number;
}

/**
 * Checks the scores of `multiMarginLoss` and `multilabelMarginLoss` as torch does: a non-empty
 * vector `[C]` or matrix `[N, C]`, or a 0-d score (one class).
 *
 * @throws {LossError} `INVALID_SHAPE` for any other shape
 */
export function marginInputShape(name: string, shape: readonly number[]): MarginInputShape {
  const s = shape;
  if (!((s.length === 2 && s[1] !== 0) || (s.length === 1 && s[0] !== 0) || s.length === 0)) {
    throw new LossError(
      'INVALID_SHAPE',
      `expected a non-empty vector or matrix with optional 0-dim batch size, got input ${showShape(s)}`,
      { loss: name, argument: 'input', hint: 'Pass scores of shape [C] or [N, C] with C ≥ 1.' },
    );
  }
  const batched = s.length === 2;
  return { batched, rows: batched ? s[0]! : 1, classes: s.length === 0 ? 1 : s[s.length - 1]! };
}
