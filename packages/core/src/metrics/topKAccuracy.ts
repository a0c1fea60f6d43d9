import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { tallyTopK } from '../pass/classRowTally.js';
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
import { ignoreParam, integerOption } from './metricOptions.js';

/** Options of {@link topKAccuracy}. */
export interface TopKAccuracyOptions {
  /** How many of the highest-scoring classes may hold the target (default 5). */
  k?: number;
  /** Targets equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
}

/** Every option topKAccuracy takes. */
export const topKAccuracyOptionKeys = optionKeys<TopKAccuracyOptions>({ k: true, ignoreIndex: true });

const NAME = 'topKAccuracy';

/**
 * The mergeable state of {@link topKAccuracy} (2 counts: hits, counted), into `into` when given.
 *
 * @example
 * finalizeMetric(topKAccuracyPartial(logits, labels, { k: 5 }));
 */
export function topKAccuracyPartial(
  input: TensorInput,
  target: TensorInput,
  options: TopKAccuracyOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, topKAccuracyOptionKeys);
  const k = integerOption(NAME, 'k', options.k, 5, 1, 2 ** 31 - 1);
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const op = classificationOperands(NAME, input, target, ignoreIndex);
  requireMulticlass(NAME, op);
  const state = metricStateFor(NAME, { k, ignoreIndex: ignoreParam(ignoreIndex) }, into, layoutOf(op), {
    counts: 2,
  });
  if (op.x instanceof Float64Array) state.dtype = 'float64';
  state.rows += op.rows;
  const { outer, inner, idx, stride, ignore } = op;
  // The target's rank: classes scoring higher, and classes before it scoring the same.
  const { best, rank, tally } = classRowStats(op, false);
  // Counted by the cross-entropy kernel that computed the stats, when it could count every row.
  const counted = tallyTopK(tally, ignore, k);
  if (counted !== null) {
    state.counts[0]! += counted[0];
    state.counts[1]! += counted[1];
  } else countTopK(best, rank, idx, stride, ignore, outer * inner, inner, k, state.counts);
  return state;
}

/**
 * Adds the hits and counted samples to `counts[0]`, `counts[1]`. A function of its own, so that
 * the engine optimizes this loop alone (see calibrationError.ts's addSoftmaxConfidences).
 */
function countTopK(
  best: Int32Array,
  rank: Int32Array,
  idx: Int32Array,
  stride: number,
  ignore: number,
  samples: number,
  inner: number,
  k: number,
  counts: Float64Array,
): void {
  let hits = 0;
  let counted = 0;
  for (let i = 0; i < samples; i++) {
    if (idx[i * stride]! === ignore) continue;
    if (best[i]! < 0) throw nanScoreError(NAME, Math.floor(i / inner));
    counted++;
    if (rank[i]! < k) hits++;
  }
  counts[0]! += hits;
  counts[1]! += counted;
}

/** The top-k accuracy of a state: NaN for no counted rows. */
export function topKAccuracyValue(state: MetricState): number {
  return state.counts.length === 0 ? Number.NaN : state.counts[0]! / state.counts[1]!;
}

/**
 * Top-k accuracy, as scikit-learn's `top_k_accuracy_score` / torchmetrics' `Accuracy(top_k=k)`
 * (micro): the fraction of samples whose target is among the `k` highest-scoring classes. Ties are
 * broken like `torch.argmax`, by class index: the target's rank counts the classes scoring higher
 * plus the lower-indexed classes scoring the same, so `k: 1` equals {@link accuracy}. `k ≥ C`
 * gives 1. scikit-learn's `top_k_accuracy_score` breaks ties the other way (a stable argsort,
 * reversed: the higher class index first), so where scores tie across the k-th place the two can
 * differ; without such ties they are equal. Scores may be logits or probabilities (the ranking is the same).
 *
 * @example
 * topKAccuracy(logits, labels, { k: 5 });
 */
export function topKAccuracy(
  input: TensorInput,
  target: TensorInput,
  options: TopKAccuracyOptions = {},
): number {
  return topKAccuracyValue(topKAccuracyPartial(input, target, options));
}
