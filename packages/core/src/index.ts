export {
  type BinaryCrossEntropyOptions,
  binaryCrossEntropy,
  binaryCrossEntropyOptionKeys,
  binaryCrossEntropyPartial,
} from './binaryCrossEntropy.js';
export {
  type BinaryCrossEntropyWithLogitsOptions,
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsOptionKeys,
  binaryCrossEntropyWithLogitsPartial,
} from './binaryCrossEntropyWithLogits.js';
export { type CosineDistanceOptions, cosineDistance, cosineDistanceOptionKeys } from './cosineDistance.js';
export {
  type CosineEmbeddingLossOptions,
  cosineEmbeddingLoss,
  cosineEmbeddingLossOptionKeys,
  cosineEmbeddingLossPartial,
} from './cosineEmbeddingLoss.js';
export {
  type CrossEntropyOptions,
  crossEntropy,
  crossEntropyOptionKeys,
  crossEntropyPartial,
} from './crossEntropy.js';
export { type CtcLoss, type CtcLossOptions, ctcLoss, ctcLossOptionKeys, ctcLossPartial } from './ctcLoss.js';
export {
  type GaussianNllLossOptions,
  gaussianNllLoss,
  gaussianNllLossOptionKeys,
  gaussianNllLossPartial,
} from './gaussianNllLoss.js';
export {
  type HingeEmbeddingLossOptions,
  hingeEmbeddingLoss,
  hingeEmbeddingLossOptionKeys,
  hingeEmbeddingLossPartial,
} from './hingeEmbeddingLoss.js';
export { type HuberLossOptions, huberLoss, huberLossOptionKeys, huberLossPartial } from './huberLoss.js';
export { type KlDivOptions, klDiv, klDivOptionKeys, klDivPartial } from './klDiv.js';
export { LossError, type LossErrorCode, type LossErrorContext } from './LossError.js';
export {
  addToState,
  createState,
  type FloatDType,
  finalize,
  type LossState,
  mergeInto,
  mergeStates,
} from './LossState.js';
export { type L1LossOptions, l1Loss, l1LossOptionKeys, l1LossPartial } from './l1Loss.js';
export {
  type MarginRankingLossOptions,
  marginRankingLoss,
  marginRankingLossOptionKeys,
  marginRankingLossPartial,
} from './marginRankingLoss.js';
export { type MseLossOptions, mseLoss, mseLossOptionKeys, mseLossPartial } from './mseLoss.js';
export {
  type MultilabelMarginLossOptions,
  multilabelMarginLoss,
  multilabelMarginLossOptionKeys,
  multilabelMarginLossPartial,
} from './multilabelMarginLoss.js';
export {
  type MultilabelSoftMarginLossOptions,
  multilabelSoftMarginLoss,
  multilabelSoftMarginLossOptionKeys,
  multilabelSoftMarginLossPartial,
} from './multilabelSoftMarginLoss.js';
export {
  type MultiMarginLossOptions,
  multiMarginLoss,
  multiMarginLossOptionKeys,
  multiMarginLossPartial,
} from './multiMarginLoss.js';
export { type NllLossOptions, nllLoss, nllLossOptionKeys, nllLossPartial } from './nllLoss.js';
export { checkOptionKeys, optionKeys, optionsOwnKeys, unknownOptionError } from './optionKeys.js';
export { type OptionSuggestion, suggestOption } from './optionSuggestion.js';
export {
  type PairwiseDistanceOptions,
  pairwiseDistance,
  pairwiseDistanceOptionKeys,
} from './pairwiseDistance.js';
export {
  type PoissonNllLossOptions,
  poissonNllLoss,
  poissonNllLossOptionKeys,
  poissonNllLossPartial,
} from './poissonNllLoss.js';
export type { Reduction, StateReduction } from './reduction.js';
export { defineLoss } from './registry/defineLoss.js';
export { describeOptions, reductionOption } from './registry/describeOptions.js';
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
} from './registry/LossDescriptor.js';
export { LOSSES, type LossDescriptorOf, type LossName, lossDescriptor } from './registry/losses.js';
export {
  type SmoothL1LossOptions,
  smoothL1Loss,
  smoothL1LossOptionKeys,
  smoothL1LossPartial,
} from './smoothL1Loss.js';
export {
  type SoftMarginLossOptions,
  softMarginLoss,
  softMarginLossOptionKeys,
  softMarginLossPartial,
} from './softMarginLoss.js';
export {
  type FloatArray,
  type IntArray,
  type NestedNumbers,
  numel,
  type Tensor,
  type TensorData,
  type TensorInput,
  tensor,
} from './tensor.js';
export type { TernaryLoss, TernaryLossPartial } from './ternaryLoss.js';
export {
  type TripletMarginLossOptions,
  tripletMarginLoss,
  tripletMarginLossOptionKeys,
  tripletMarginLossPartial,
} from './tripletMarginLoss.js';
export {
  type DistanceFunction,
  type TripletMarginWithDistanceLossOptions,
  tripletMarginWithDistanceLoss,
  tripletMarginWithDistanceLossOptionKeys,
  tripletMarginWithDistanceLossPartial,
} from './tripletMarginWithDistanceLoss.js';
export {
  getKernelBackend,
  initKernels,
  type KernelBackend,
  setKernelBackend,
} from './wasm/kernelBackend.js';
