import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { twoSumError } from '../state/compensatedSum.js';
import { ignoreIndexOption } from '../tensor/classOperands.js';
import type { TensorInput } from '../tensor/tensor.js';
import {
  classificationOperands,
  IGNORED,
  layoutOf,
  nanScoreError,
  probabilityError,
  undefinedSoftmaxError,
} from './classificationOperands.js';
import { addSum, type MetricState, metricStateFor, sumAt } from './MetricState.js';
import { ignoreParam, scoresOption } from './metricOptions.js';
import { argmaxAt, expSumAt, sigmoid } from './sampleScores.js';

/** Options of {@link brierScore}. */
export interface BrierScoreOptions {
  /** Targets equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
  /** `'logits'` (default; softmax / sigmoid first) or `'probabilities'`. */
  scores?: 'logits' | 'probabilities';
}

/** Every option brierScore takes. */
export const brierScoreOptionKeys = optionKeys<BrierScoreOptions>({ ignoreIndex: true, scores: true });

const NAME = 'brierScore';

/**
 * The mergeable state of {@link brierScore}: a compensated Σ squared error and the count of
 * samples (labels, for 0/1 targets): 3 float64.
 *
 * @example
 * finalizeMetric(brierScorePartial(logits, labels));
 */
export function brierScorePartial(
  input: TensorInput,
  target: TensorInput,
  options: BrierScoreOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, brierScoreOptionKeys);
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const scores = scoresOption(NAME, options.scores);
  const op = classificationOperands(NAME, input, target, ignoreIndex);
  const params = { ignoreIndex: ignoreParam(ignoreIndex), scores };
  const state = metricStateFor(NAME, params, into, layoutOf(op), { counts: 1, sums: 1 });
  if (op.x instanceof Float64Array) state.dtype = 'float64';
  state.rows += op.rows;
  const logits = scores === 'logits';
  let counted = 0;
  // A compensated (TwoSum) batch sum: a plain one rounds differently for each batch split.
  let sum = 0;
  let err = 0;
  if (op.task === 'multiclass') {
    const { x, outer, classes, inner, idx, stride, ignore } = op;
    // The softmax terms of one sample, computed once (one buffer per batch, none per row).
    const terms = new Float64Array(classes);
    for (let n = 0; n < outer; n++) {
      for (let k = 0; k < inner; k++) {
        const base = n * classes * inner + k;
        const t = idx[(n * inner + k) * stride]!;
        if (t === ignore) continue;
        const best = argmaxAt(x, base, classes, inner);
        if (best < 0) throw nanScoreError(NAME, n);
        const max = x[base + best * inner]!;
        const s = logits ? expSumAt(x, base, classes, inner, max, terms) : 1;
        // A +∞ logit (or all −∞) leaves the softmax undefined, as calibrationError and auroc say.
        if (Number.isNaN(s)) throw undefinedSoftmaxError(NAME, n);
        let e = 0;
        for (let c = 0; c < classes; c++) {
          const v = x[base + c * inner]!;
          const p = logits ? terms[c]! / s : v;
          if (!logits && (p < 0 || p > 1)) throw probabilityError(NAME, n, p);
          const d = c === t ? p - 1 : p;
          e += d * d;
        }
        const next = sum + e;
        err += twoSumError(sum, e, next);
        sum = next;
        counted++;
      }
    }
  } else {
    const { x, y, labels } = op;
    for (let i = 0; i < x.length; i++) {
      const yi = y[i]!;
      if (yi === IGNORED) continue;
      const z = x[i]!;
      if (Number.isNaN(z)) throw nanScoreError(NAME, Math.floor(i / labels));
      const p = logits ? sigmoid(z) : z;
      if (p < 0 || p > 1) throw probabilityError(NAME, Math.floor(i / labels), p);
      const d = p - yi;
      const next = sum + d * d;
      err += twoSumError(sum, d * d, next);
      sum = next;
      counted++;
    }
  }
  addSum(state.sums, 0, sum);
  state.sums[1]! += err;
  state.counts[0]! += counted;
  return state;
}

/**
 * The Brier score of a state: the mean over samples of Σ over classes of (p − y)²; with 0/1
 * targets the mean (p − y)² over every label counted. NaN for no samples.
 */
export function brierScoreValue(state: MetricState): number {
  if (state.counts.length === 0 || state.counts[0] === 0) return Number.NaN;
  return sumAt(state.sums, 0) / state.counts[0]!;
}

/**
 * The Brier score: for class indices the mean over samples of Σ_c (p_c − [c = y])² with p the
 * softmax probabilities (torchmetrics-free; the original multiclass Brier score); for a binary
 * `(N)` input scikit-learn's `brier_score_loss` (mean (p − y)²); for multi-label `(N, L)` the
 * mean (p − y)² over all N·L labels, `brier_score_loss(y.ravel(), p.ravel())` (scikit-learn
 * rejects multi-label targets; torchmetrics has no Brier score).
 *
 * @example
 * brierScore(logits, labels);
 * brierScore(probabilities, labels01, { scores: 'probabilities' });
 */
export function brierScore(input: TensorInput, target: TensorInput, options: BrierScoreOptions = {}): number {
  return brierScoreValue(brierScorePartial(input, target, options));
}
