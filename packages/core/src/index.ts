export {
  type BinaryCrossEntropyOptions,
  binaryCrossEntropy,
  binaryCrossEntropyPartial,
} from './binaryCrossEntropy.js';
export {
  type BinaryCrossEntropyWithLogitsOptions,
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsPartial,
} from './binaryCrossEntropyWithLogits.js';
export { type CosineDistanceOptions, cosineDistance } from './cosineDistance.js';
export {
  type CosineEmbeddingLossOptions,
  cosineEmbeddingLoss,
  cosineEmbeddingLossPartial,
} from './cosineEmbeddingLoss.js';
export { type CrossEntropyOptions, crossEntropy, crossEntropyPartial } from './crossEntropy.js';
export { type CtcLoss, type CtcLossOptions, ctcLoss, ctcLossPartial } from './ctcLoss.js';
export { type GaussianNllLossOptions, gaussianNllLoss, gaussianNllLossPartial } from './gaussianNllLoss.js';
export {
  type HingeEmbeddingLossOptions,
  hingeEmbeddingLoss,
  hingeEmbeddingLossPartial,
} from './hingeEmbeddingLoss.js';
export { type HuberLossOptions, huberLoss, huberLossPartial } from './huberLoss.js';
export { type KlDivOptions, klDiv, klDivPartial } from './klDiv.js';
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
export { type L1LossOptions, l1Loss, l1LossPartial } from './l1Loss.js';
export {
  type MarginRankingLossOptions,
  marginRankingLoss,
  marginRankingLossPartial,
} from './marginRankingLoss.js';
export { type MseLossOptions, mseLoss, mseLossPartial } from './mseLoss.js';
export {
  type MultilabelMarginLossOptions,
  multilabelMarginLoss,
  multilabelMarginLossPartial,
} from './multilabelMarginLoss.js';
export {
  type MultilabelSoftMarginLossOptions,
  multilabelSoftMarginLoss,
  multilabelSoftMarginLossPartial,
} from './multilabelSoftMarginLoss.js';
export { type MultiMarginLossOptions, multiMarginLoss, multiMarginLossPartial } from './multiMarginLoss.js';
export { type NllLossOptions, nllLoss, nllLossPartial } from './nllLoss.js';
export { type PairwiseDistanceOptions, pairwiseDistance } from './pairwiseDistance.js';
export { type PoissonNllLossOptions, poissonNllLoss, poissonNllLossPartial } from './poissonNllLoss.js';
export type { Reduction, StateReduction } from './reduction.js';
export { type SmoothL1LossOptions, smoothL1Loss, smoothL1LossPartial } from './smoothL1Loss.js';
export { type SoftMarginLossOptions, softMarginLoss, softMarginLossPartial } from './softMarginLoss.js';
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
  tripletMarginLossPartial,
} from './tripletMarginLoss.js';
export {
  type DistanceFunction,
  type TripletMarginWithDistanceLossOptions,
  tripletMarginWithDistanceLoss,
  tripletMarginWithDistanceLossPartial,
} from './tripletMarginWithDistanceLoss.js';
export {
  getKernelBackend,
  initKernels,
  type KernelBackend,
  setKernelBackend,
} from './wasm/kernelBackend.js';
export {
  type BroadcastWeight,
  type Float32CrossEntropyIndexKernel,
  type Float32ElementwiseKernels,
  type Float32NllKernel,
  type WasmKernels,
  wasmKernels,
} from './wasm/wasmKernels.js';
export type { LinearMemory } from './wasm/wasmModule.js';
