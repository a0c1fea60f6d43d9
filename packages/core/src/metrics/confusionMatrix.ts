import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { ignoreIndexOption } from '../tensor/classOperands.js';
import type { TensorInput } from '../tensor/tensor.js';
import {
  classificationOperands,
  layoutOf,
  nanScoreError,
  requireMulticlass,
} from './classificationOperands.js';
import { classRowStats } from './classRowStats.js';
import { type MetricState, metricStateFor } from './MetricState.js';
import { checkStateSize, ignoreParam } from './metricOptions.js';

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Targets equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
}

/** Every option confusionMatrix takes. */
export const confusionMatrixOptionKeys = optionKeys<ConfusionMatrixOptions>({ ignoreIndex: true });

const NAME = 'confusionMatrix';

/**
 * The mergeable state of {@link confusionMatrix}: C × C counts (C² float64: 8 MiB for 1024
 * classes; more than 4096 classes is refused), into `into` when given. Bit-identical for any split.
 *
 * @example
 * finalizeMetric(confusionMatrixPartial(logits, labels)); // number[][]
 */
export function confusionMatrixPartial(
  input: TensorInput,
  target: TensorInput,
  options: ConfusionMatrixOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, confusionMatrixOptionKeys);
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const op = classificationOperands(NAME, input, target, ignoreIndex);
  requireMulticlass(NAME, op);
  const { x, outer, classes, inner, idx, stride, ignore } = op;
  checkStateSize(
    NAME,
    classes * classes,
    `${classes} × ${classes} cells`,
    'A confusion matrix of that many classes is too large; use precision/recall per class instead.',
  );
  const state = metricStateFor(NAME, { ignoreIndex: ignoreParam(ignoreIndex) }, into, layoutOf(op), {
    counts: classes * classes,
  });
  if (x instanceof Float64Array) state.dtype = 'float64';
  state.rows += op.rows;
  const counts = state.counts;
  const rowStats = classRowStats(op, false);
  for (let i = 0; i < outer * inner; i++) {
    const t = idx[i * stride]!;
    if (t === ignore) continue;
    const best = rowStats.best[i]!;
    if (best < 0) throw nanScoreError(NAME, Math.floor(i / inner));
    counts[t * classes + best]!++;
  }
  return state;
}

/** The matrix of a state: `m[true][predicted]` counts (an empty array for an empty state). */
export function confusionMatrixValue(state: MetricState): number[][] {
  const c = Math.round(Math.sqrt(state.counts.length));
  const out: number[][] = [];
  for (let t = 0; t < c; t++) out.push(Array.from(state.counts.subarray(t * c, (t + 1) * c)));
  return out;
}

/**
 * The confusion matrix of argmax predictions vs class indices, as scikit-learn's
 * `confusion_matrix(y, pred, labels=range(C))` / torchmetrics' `ConfusionMatrix`: row = true class,
 * column = predicted class, every class of the input's C (absent ones are rows/columns of zeros).
 *
 * @example
 * confusionMatrix(logits, labels); // [[5, 1, 0], [0, 4, 2], [1, 0, 7]]
 */
export function confusionMatrix(
  input: TensorInput,
  target: TensorInput,
  options: ConfusionMatrixOptions = {},
): number[][] {
  return confusionMatrixValue(confusionMatrixPartial(input, target, options));
}
