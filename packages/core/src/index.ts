export { defineLoss } from './descriptor/defineLoss.js';
export { describeOptions, reductionOption } from './descriptor/describeOptions.js';
export type {
  LossDescriptor,
  LossDescriptorInit,
  OptionDescriptor,
  OptionTable,
  OptionType,
  RoleDescriptor,
  RoleDType,
  TorchNames,
  TypedLossDescriptor,
} from './descriptor/LossDescriptor.js';
export { checkOptionKeys, optionKeys, optionsOwnKeys, unknownOptionError } from './descriptor/optionKeys.js';
export type { TernaryLoss, TernaryLossPartial } from './forms/ternaryLoss.js';
export { LossError, type LossErrorCode, type LossErrorContext } from './LossError.js';
export {
  type BinaryCrossEntropyOptions,
  binaryCrossEntropy,
  binaryCrossEntropyOptionKeys,
  binaryCrossEntropyPartial,
} from './losses/binaryCrossEntropy.js';
export {
  type BinaryCrossEntropyWithLogitsOptions,
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsOptionKeys,
  binaryCrossEntropyWithLogitsPartial,
} from './losses/binaryCrossEntropyWithLogits.js';
export {
  type CosineDistanceOptions,
  cosineDistance,
  cosineDistanceOptionKeys,
} from './losses/cosineDistance.js';
export {
  type CosineEmbeddingLossOptions,
  cosineEmbeddingLoss,
  cosineEmbeddingLossOptionKeys,
  cosineEmbeddingLossPartial,
} from './losses/cosineEmbeddingLoss.js';
export {
  type CrossEntropyOptions,
  crossEntropy,
  crossEntropyOptionKeys,
  crossEntropyPartial,
} from './losses/crossEntropy.js';
export {
  type CtcLoss,
  type CtcLossOptions,
  ctcLoss,
  ctcLossOptionKeys,
  ctcLossPartial,
} from './losses/ctcLoss.js';
export {
  type GaussianNllLossOptions,
  gaussianNllLoss,
  gaussianNllLossOptionKeys,
  gaussianNllLossPartial,
} from './losses/gaussianNllLoss.js';
export {
  type HingeEmbeddingLossOptions,
  hingeEmbeddingLoss,
  hingeEmbeddingLossOptionKeys,
  hingeEmbeddingLossPartial,
} from './losses/hingeEmbeddingLoss.js';
export {
  type HuberLossOptions,
  huberLoss,
  huberLossOptionKeys,
  huberLossPartial,
} from './losses/huberLoss.js';
export { type KlDivOptions, klDiv, klDivOptionKeys, klDivPartial } from './losses/klDiv.js';
export { type L1LossOptions, l1Loss, l1LossOptionKeys, l1LossPartial } from './losses/l1Loss.js';
export {
  type MarginRankingLossOptions,
  marginRankingLoss,
  marginRankingLossOptionKeys,
  marginRankingLossPartial,
} from './losses/marginRankingLoss.js';
export { type MseLossOptions, mseLoss, mseLossOptionKeys, mseLossPartial } from './losses/mseLoss.js';
export {
  type MultilabelMarginLossOptions,
  multilabelMarginLoss,
  multilabelMarginLossOptionKeys,
  multilabelMarginLossPartial,
} from './losses/multilabelMarginLoss.js';
export {
  type MultilabelSoftMarginLossOptions,
  multilabelSoftMarginLoss,
  multilabelSoftMarginLossOptionKeys,
  multilabelSoftMarginLossPartial,
} from './losses/multilabelSoftMarginLoss.js';
export {
  type MultiMarginLossOptions,
  multiMarginLoss,
  multiMarginLossOptionKeys,
  multiMarginLossPartial,
} from './losses/multiMarginLoss.js';
export { type NllLossOptions, nllLoss, nllLossOptionKeys, nllLossPartial } from './losses/nllLoss.js';
export {
  type PairwiseDistanceOptions,
  pairwiseDistance,
  pairwiseDistanceOptionKeys,
} from './losses/pairwiseDistance.js';
export {
  type PoissonNllLossOptions,
  poissonNllLoss,
  poissonNllLossOptionKeys,
  poissonNllLossPartial,
} from './losses/poissonNllLoss.js';
export {
  type SmoothL1LossOptions,
  smoothL1Loss,
  smoothL1LossOptionKeys,
  smoothL1LossPartial,
} from './losses/smoothL1Loss.js';
export {
  type SoftMarginLossOptions,
  softMarginLoss,
  softMarginLossOptionKeys,
  softMarginLossPartial,
} from './losses/softMarginLoss.js';
export {
  type TripletMarginLossOptions,
  tripletMarginLoss,
  tripletMarginLossOptionKeys,
  tripletMarginLossPartial,
} from './losses/tripletMarginLoss.js';
export {
  type DistanceFunction,
  type TripletMarginWithDistanceLossOptions,
  tripletMarginWithDistanceLoss,
  tripletMarginWithDistanceLossOptionKeys,
  tripletMarginWithDistanceLossPartial,
} from './losses/tripletMarginWithDistanceLoss.js';
export {
  type AccuracyOptions,
  accuracy,
  accuracyOptionKeys,
  accuracyPartial,
  type MultilabelMode,
} from './metrics/accuracy.js';
export {
  type AurocOptions,
  auroc,
  aurocErrorBound,
  aurocOptionKeys,
  aurocPartial,
  logitBin,
} from './metrics/auroc.js';
export {
  type BrierScoreOptions,
  brierScore,
  brierScoreOptionKeys,
  brierScorePartial,
} from './metrics/brierScore.js';
export {
  type CalibrationErrorOptions,
  calibrationError,
  calibrationErrorOptionKeys,
  calibrationErrorPartial,
} from './metrics/calibrationError.js';
export {
  type ClassRowStats,
  classRowStats,
  forgetSharedOperands,
  type ShareClassRowStatsOptions,
  shareClassRowStats,
} from './metrics/classRowStats.js';
export type { ClassScoreOptions } from './metrics/classStatScores.js';
export {
  type ConfusionMatrixOptions,
  confusionMatrix,
  confusionMatrixOptionKeys,
  confusionMatrixPartial,
} from './metrics/confusionMatrix.js';
export { type F1Options, f1, f1OptionKeys, f1Partial } from './metrics/f1.js';
export {
  createMetricState,
  type MetricParams,
  type MetricState,
  mergeMetricInto,
  mergeMetricStates,
} from './metrics/MetricState.js';
export { mae, maePartial } from './metrics/mae.js';
export type { Average, ScoreKind } from './metrics/metricOptions.js';
export {
  finalizeMetric,
  METRICS,
  type MetricDescriptor,
  type MetricName,
  type MetricValue,
  metricErrorBound,
} from './metrics/metrics.js';
export type { Multioutput } from './metrics/outputMoments.js';
export { type PearsonOptions, pearson, pearsonOptionKeys, pearsonPartial } from './metrics/pearson.js';
export {
  type PerplexityOptions,
  perplexity,
  perplexityOptionKeys,
  perplexityPartial,
} from './metrics/perplexity.js';
export {
  type PrecisionOptions,
  precision,
  precisionOptionKeys,
  precisionPartial,
} from './metrics/precision.js';
export { type R2Options, r2, r2OptionKeys, r2Partial } from './metrics/r2.js';
export { type RecallOptions, recall, recallOptionKeys, recallPartial } from './metrics/recall.js';
export { rmse, rmsePartial } from './metrics/rmse.js';
export {
  type TopKAccuracyOptions,
  topKAccuracy,
  topKAccuracyOptionKeys,
  topKAccuracyPartial,
} from './metrics/topKAccuracy.js';
export { type OptionSuggestion, suggestOption } from './options/optionSuggestion.js';
export { LOSSES, type LossDescriptorOf, type LossName, lossDescriptor } from './registry/losses.js';
export {
  addToState,
  createState,
  type FloatDType,
  finalize,
  type LossState,
  mergeInto,
  mergeStates,
} from './state/LossState.js';
export type { Reduction, StateReduction } from './state/reduction.js';
export {
  type FloatArray,
  type IntArray,
  type NestedNumbers,
  numel,
  type Tensor,
  type TensorData,
  type TensorInput,
  tensor,
} from './tensor/tensor.js';
export {
  type ActiveKernelBackend,
  getKernelBackend,
  initKernels,
  type KernelBackend,
  setKernelBackend,
} from './wasm/kernelBackend.js';
