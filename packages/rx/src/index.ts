export { fromBatches } from './fromBatches.js';
export { type FromFileOptions, fromFile } from './fromFile.js';
export type { ChunkSteps, GroupKey, GroupState, GroupValue, LossChunk } from './LossChunk.js';
export { losses } from './losses.js';
export {
  type ColumnOptions,
  type LossOperatorSpec,
  lossOperator,
  type StreamOptions,
} from './lossOperator.js';
export { lossSpec } from './lossSpec.js';
export {
  type BinaryCrossEntropyOperatorOptions,
  type BinaryCrossEntropyWithLogitsOperatorOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type CosineEmbeddingLossOperatorOptions,
  type CrossEntropyOperatorOptions,
  type CtcLossOperatorOptions,
  cosineEmbeddingLoss,
  crossEntropy,
  ctcLoss,
  type GaussianNllLossOperatorOptions,
  gaussianNllLoss,
  type HingeEmbeddingLossOperatorOptions,
  type HuberLossOperatorOptions,
  hingeEmbeddingLoss,
  huberLoss,
  type KlDivOperatorOptions,
  klDiv,
  type L1LossOperatorOptions,
  l1Loss,
  type MarginRankingLossOperatorOptions,
  type MseLossOperatorOptions,
  type MultilabelMarginLossOperatorOptions,
  type MultilabelSoftMarginLossOperatorOptions,
  type MultiMarginLossOperatorOptions,
  marginRankingLoss,
  mseLoss,
  multilabelMarginLoss,
  multilabelSoftMarginLoss,
  multiMarginLoss,
  type NllLossOperatorOptions,
  nllLoss,
  type PoissonNllLossOperatorOptions,
  poissonNllLoss,
  type SmoothL1LossOperatorOptions,
  type SoftMarginLossOperatorOptions,
  smoothL1Loss,
  softMarginLoss,
  type TripletMarginLossOperatorOptions,
  type TripletMarginWithDistanceLossOperatorOptions,
  tripletMarginLoss,
  tripletMarginWithDistanceLoss,
} from './operators/lossOperators.js';
export { type LossOperatorFactory, type OperatorOptionsOf, operatorOf } from './operators/operatorOf.js';
export { perRowBatches } from './perRowBatches.js';
export { reduce } from './reduce.js';
export { reduceGroups } from './reduceGroups.js';
export { running } from './running.js';
export { runningGroups } from './runningGroups.js';
