// Generated from @lossflow/core's loss registry (LOSSES): do not edit. Regenerate from packages/rx with
// LOSSFLOW_WRITE_GENERATED=1 npx vitest run src/operators/lossOperators.test.ts
import type { TensorInput } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';
import { type OperatorOptionsOf, operatorOf } from './operatorOf.js';

/** Options of the {@link binaryCrossEntropy} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type BinaryCrossEntropyOperatorOptions = OperatorOptionsOf<'binaryCrossEntropy'>;

/**
 * Probabilities vs 0/1 targets (`torch.nn.BCELoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape, probabilities in [0, 1]; floats.
 * - `target` (column auto-detected): the input's shape; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { binaryCrossEntropy, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(binaryCrossEntropy({ input: 'logits' }), reduce('mean'));
 */
export function binaryCrossEntropy(
  options: BinaryCrossEntropyOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('binaryCrossEntropy')(options);
}

/** Options of the {@link binaryCrossEntropyWithLogits} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type BinaryCrossEntropyWithLogitsOperatorOptions = OperatorOptionsOf<'binaryCrossEntropyWithLogits'>;

/**
 * Logits vs 0/1 targets (`torch.nn.BCEWithLogitsLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape, logits; floats.
 * - `target` (column auto-detected): the input's shape; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { binaryCrossEntropyWithLogits, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(binaryCrossEntropyWithLogits({ input: 'logits' }), reduce('mean'));
 */
export function binaryCrossEntropyWithLogits(
  options: BinaryCrossEntropyWithLogitsOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('binaryCrossEntropyWithLogits')(options);
}

/** Options of the {@link cosineEmbeddingLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input1`, `input2`, `target`) and the stream options. */
export type CosineEmbeddingLossOperatorOptions = OperatorOptionsOf<'cosineEmbeddingLoss'>;

/**
 * Cosine similarity, ±1 targets (`torch.nn.CosineEmbeddingLoss`), row by row of each record batch. Columns:
 * - `input1` (column `input1`): (N, D) or (D); floats.
 * - `input2` (column `input2`): (N, D) or (D); floats.
 * - `target` (column auto-detected): ±1, (N) or (); floats or integers.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { cosineEmbeddingLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(cosineEmbeddingLoss({ input1: 'input1', margin: 0 }), reduce('mean'));
 */
export function cosineEmbeddingLoss(
  options: CosineEmbeddingLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('cosineEmbeddingLoss')(options);
}

/** Options of the {@link crossEntropy} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type CrossEntropyOperatorOptions = OperatorOptionsOf<'crossEntropy'>;

/**
 * Logits vs class indices (`torch.nn.CrossEntropyLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): (N, C), (C) or (N, C, d1, …) logits; floats.
 * - `target` (column auto-detected): class indices (N), () or (N, d1, …); or class probabilities of the input's shape; floats or integers.
 * The `weight` alone is accepted as the options: `crossEntropy(weight)`.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { crossEntropy, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(crossEntropy({ input: 'logits', ignoreIndex: -100 }), reduce('mean'));
 * fromFile('log.arrow').pipe(crossEntropy([1, 2, 0.5]), reduce('mean'));
 */
export function crossEntropy(
  options: CrossEntropyOperatorOptions | TensorInput = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('crossEntropy')(options as CrossEntropyOperatorOptions);
}

/** Options of the {@link ctcLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`, `inputLengths`, `targetLengths`) and the stream options. */
export type CtcLossOperatorOptions = OperatorOptionsOf<'ctcLoss'>;

/**
 * Connectionist temporal classification (`torch.nn.CTCLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): time first, (T, N, C) or (T, C) log-probabilities (a record batch holds one (T, C) sequence per row); floats.
 * - `target` (column auto-detected): padded class indices (N, S), or all targets concatenated; integers.
 * - `inputLengths` (column `input_lengths`): (N) or (); integers.
 * - `targetLengths` (column `target_lengths`): (N) or (); integers.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { ctcLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(ctcLoss({ inputLengths: 'input_lengths', blank: 0 }), reduce('mean'));
 */
export function ctcLoss(options: CtcLossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('ctcLoss')(options);
}

/** Options of the {@link gaussianNllLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`, `var`) and the stream options. */
export type GaussianNllLossOperatorOptions = OperatorOptionsOf<'gaussianNllLoss'>;

/**
 * Gaussian NLL with a variance column (`torch.nn.GaussianNLLLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape, means; floats.
 * - `target` (column auto-detected): the input's shape; floats.
 * - `var` (column `var`): the input's shape, without its last dimension, or with one dimension of size 1; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { gaussianNllLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(gaussianNllLoss({ var: 'var', full: false }), reduce('mean'));
 */
export function gaussianNllLoss(
  options: GaussianNllLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('gaussianNllLoss')(options);
}

/** Options of the {@link hingeEmbeddingLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type HingeEmbeddingLossOperatorOptions = OperatorOptionsOf<'hingeEmbeddingLoss'>;

/**
 * Distances vs ±1 targets (`torch.nn.HingeEmbeddingLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape, distances; floats.
 * - `target` (column auto-detected): ±1, broadcasts with input; floats or integers.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { hingeEmbeddingLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(hingeEmbeddingLoss({ input: 'logits', margin: 1 }), reduce('mean'));
 */
export function hingeEmbeddingLoss(
  options: HingeEmbeddingLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('hingeEmbeddingLoss')(options);
}

/** Options of the {@link huberLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type HuberLossOperatorOptions = OperatorOptionsOf<'huberLoss'>;

/**
 * Huber loss (delta) (`torch.nn.HuberLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape; floats.
 * - `target` (column auto-detected): broadcasts with input; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { huberLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(huberLoss({ input: 'logits', delta: 1 }), reduce('mean'));
 */
export function huberLoss(options: HuberLossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('huberLoss')(options);
}

/** Options of the {@link klDiv} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type KlDivOperatorOptions = OperatorOptionsOf<'klDiv'>;

/**
 * KL divergence of log-probabilities (`torch.nn.KLDivLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape, log-probabilities; floats.
 * - `target` (column auto-detected): broadcasts with input; probabilities (log-probabilities with logTarget); floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { klDiv, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(klDiv({ input: 'logits', logTarget: false }), reduce('batchmean'));
 */
export function klDiv(options: KlDivOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('klDiv')(options);
}

/** Options of the {@link l1Loss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type L1LossOperatorOptions = OperatorOptionsOf<'l1Loss'>;

/**
 * Absolute error (`torch.nn.L1Loss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape; floats.
 * - `target` (column auto-detected): broadcasts with input; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { l1Loss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(l1Loss({ input: 'logits' }), reduce('mean'));
 */
export function l1Loss(options: L1LossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('l1Loss')(options);
}

/** Options of the {@link marginRankingLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input1`, `input2`, `target`) and the stream options. */
export type MarginRankingLossOperatorOptions = OperatorOptionsOf<'marginRankingLoss'>;

/**
 * Pairwise ranking, ±1 targets (`torch.nn.MarginRankingLoss`), row by row of each record batch. Columns:
 * - `input1` (column `input1`): (N) or (); floats.
 * - `input2` (column `input2`): (N) or (); floats.
 * - `target` (column auto-detected): ±1, (N) or (); floats or integers.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { marginRankingLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(marginRankingLoss({ input1: 'input1', margin: 0 }), reduce('mean'));
 */
export function marginRankingLoss(
  options: MarginRankingLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('marginRankingLoss')(options);
}

/** Options of the {@link mseLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type MseLossOperatorOptions = OperatorOptionsOf<'mseLoss'>;

/**
 * Squared error (`torch.nn.MSELoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape; floats.
 * - `target` (column auto-detected): broadcasts with input; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { mseLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(mseLoss({ input: 'logits' }), reduce('mean'));
 */
export function mseLoss(options: MseLossOperatorOptions = {}): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('mseLoss')(options);
}

/** Options of the {@link multiMarginLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type MultiMarginLossOperatorOptions = OperatorOptionsOf<'multiMarginLoss'>;

/**
 * Multi-class hinge (`torch.nn.MultiMarginLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): (N, C), (C) or (); floats.
 * - `target` (column auto-detected): class indices (N) or (); integers.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { multiMarginLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(multiMarginLoss({ input: 'logits', p: 1 }), reduce('mean'));
 */
export function multiMarginLoss(
  options: MultiMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('multiMarginLoss')(options);
}

/** Options of the {@link multilabelMarginLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type MultilabelMarginLossOperatorOptions = OperatorOptionsOf<'multilabelMarginLoss'>;

/**
 * Multi-label hinge, -1-terminated targets (`torch.nn.MultiLabelMarginLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): (N, C), (C) or (); floats.
 * - `target` (column auto-detected): class indices of the input's shape, ended by -1; integers.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { multilabelMarginLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(multilabelMarginLoss({ input: 'logits' }), reduce('mean'));
 */
export function multilabelMarginLoss(
  options: MultilabelMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('multilabelMarginLoss')(options);
}

/** Options of the {@link multilabelSoftMarginLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type MultilabelSoftMarginLossOperatorOptions = OperatorOptionsOf<'multilabelSoftMarginLoss'>;

/**
 * Multi-label one-vs-all (`torch.nn.MultiLabelSoftMarginLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): (N, C) or (C) logits; floats.
 * - `target` (column auto-detected): 0/1 labels of the input's shape; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { multilabelSoftMarginLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(multilabelSoftMarginLoss({ input: 'logits' }), reduce('mean'));
 */
export function multilabelSoftMarginLoss(
  options: MultilabelSoftMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('multilabelSoftMarginLoss')(options);
}

/** Options of the {@link nllLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type NllLossOperatorOptions = OperatorOptionsOf<'nllLoss'>;

/**
 * Log-probabilities vs class indices (`torch.nn.NLLLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): (N, C), (C) or (N, C, d1, …) log-probabilities; floats.
 * - `target` (column auto-detected): class indices (N), () or (N, d1, …); integers.
 * The `weight` alone is accepted as the options: `nllLoss(weight)`.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { nllLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(nllLoss({ input: 'logits', ignoreIndex: -100 }), reduce('mean'));
 * fromFile('log.arrow').pipe(nllLoss([1, 2, 0.5]), reduce('mean'));
 */
export function nllLoss(
  options: NllLossOperatorOptions | TensorInput = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('nllLoss')(options as NllLossOperatorOptions);
}

/** Options of the {@link poissonNllLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type PoissonNllLossOperatorOptions = OperatorOptionsOf<'poissonNllLoss'>;

/**
 * Poisson negative log-likelihood (`torch.nn.PoissonNLLLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape, rates (or their logs); floats.
 * - `target` (column auto-detected): broadcasts with input; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { poissonNllLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(poissonNllLoss({ input: 'logits', logInput: true }), reduce('mean'));
 */
export function poissonNllLoss(
  options: PoissonNllLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('poissonNllLoss')(options);
}

/** Options of the {@link smoothL1Loss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type SmoothL1LossOperatorOptions = OperatorOptionsOf<'smoothL1Loss'>;

/**
 * Smooth L1 (beta) (`torch.nn.SmoothL1Loss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape; floats.
 * - `target` (column auto-detected): broadcasts with input; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { smoothL1Loss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(smoothL1Loss({ input: 'logits', beta: 1 }), reduce('mean'));
 */
export function smoothL1Loss(
  options: SmoothL1LossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('smoothL1Loss')(options);
}

/** Options of the {@link softMarginLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`input`, `target`) and the stream options. */
export type SoftMarginLossOperatorOptions = OperatorOptionsOf<'softMarginLoss'>;

/**
 * Logistic loss for ±1 targets (`torch.nn.SoftMarginLoss`), row by row of each record batch. Columns:
 * - `input` (column auto-detected): any shape; floats.
 * - `target` (column auto-detected): ±1, broadcasts into the input's shape; floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { softMarginLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(softMarginLoss({ input: 'logits' }), reduce('mean'));
 */
export function softMarginLoss(
  options: SoftMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('softMarginLoss')(options);
}

/** Options of the {@link tripletMarginLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`anchor`, `positive`, `negative`) and the stream options. */
export type TripletMarginLossOperatorOptions = OperatorOptionsOf<'tripletMarginLoss'>;

/**
 * Triplets, p-norm distance (`torch.nn.TripletMarginLoss`), row by row of each record batch. Columns:
 * - `anchor` (column `anchor`): (N, D) or (D); floats.
 * - `positive` (column `positive`): (N, D) or (D); floats.
 * - `negative` (column `negative`): (N, D) or (D); floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { tripletMarginLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(tripletMarginLoss({ anchor: 'anchor', margin: 1 }), reduce('mean'));
 */
export function tripletMarginLoss(
  options: TripletMarginLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('tripletMarginLoss')(options);
}

/** Options of the {@link tripletMarginWithDistanceLoss} operator: `@lossflow/core`'s options but `reduction`, the columns (`anchor`, `positive`, `negative`) and the stream options. */
export type TripletMarginWithDistanceLossOperatorOptions = OperatorOptionsOf<'tripletMarginWithDistanceLoss'>;

/**
 * Triplets, pairwise distance (`torch.nn.TripletMarginWithDistanceLoss`), row by row of each record batch. Columns:
 * - `anchor` (column `anchor`): (N, D) or (D); floats.
 * - `positive` (column `positive`): (N, D) or (D); floats.
 * - `negative` (column `negative`): (N, D) or (D); floats.
 *
 * @example
 * import { fromFile } from '@lossflow/rx/node';
 * import { tripletMarginWithDistanceLoss, reduce } from '@lossflow/rx';
 *
 * fromFile('log.arrow').pipe(tripletMarginWithDistanceLoss({ anchor: 'anchor', margin: 1 }), reduce('mean'));
 */
export function tripletMarginWithDistanceLoss(
  options: TripletMarginWithDistanceLossOperatorOptions = {},
): OperatorFunction<RecordBatch, LossChunk> {
  return operatorOf('tripletMarginWithDistanceLoss')(options);
}
