export { type BinaryCrossEntropyOperatorOptions, binaryCrossEntropy } from './binaryCrossEntropy.js';
export {
  type BinaryCrossEntropyWithLogitsOperatorOptions,
  binaryCrossEntropyWithLogits,
} from './binaryCrossEntropyWithLogits.js';
export { type CosineEmbeddingLossOperatorOptions, cosineEmbeddingLoss } from './cosineEmbeddingLoss.js';
export { type CrossEntropyOperatorOptions, crossEntropy } from './crossEntropy.js';
export { type CtcLossOperatorOptions, ctcLoss } from './ctcLoss.js';
export { fromBatches } from './fromBatches.js';
export { type FromFileOptions, fromFile } from './fromFile.js';
export { type GaussianNllLossOperatorOptions, gaussianNllLoss } from './gaussianNllLoss.js';
export { type HingeEmbeddingLossOperatorOptions, hingeEmbeddingLoss } from './hingeEmbeddingLoss.js';
export { type HuberLossOperatorOptions, huberLoss } from './huberLoss.js';
export { type KlDivOperatorOptions, klDiv } from './klDiv.js';
export type { ChunkSteps, GroupKey, GroupState, GroupValue, LossChunk } from './LossChunk.js';
export { type L1LossOperatorOptions, l1Loss } from './l1Loss.js';
export { losses } from './losses.js';
export {
  type ColumnOptions,
  type LossOperatorSpec,
  lossOperator,
  type StreamOptions,
} from './lossOperator.js';
export { lossSpec } from './lossSpec.js';
export { type MarginRankingLossOperatorOptions, marginRankingLoss } from './marginRankingLoss.js';
export { type MseLossOperatorOptions, mseLoss } from './mseLoss.js';
export { type MultilabelMarginLossOperatorOptions, multilabelMarginLoss } from './multilabelMarginLoss.js';
export {
  type MultilabelSoftMarginLossOperatorOptions,
  multilabelSoftMarginLoss,
} from './multilabelSoftMarginLoss.js';
export { type MultiMarginLossOperatorOptions, multiMarginLoss } from './multiMarginLoss.js';
export { type NllLossOperatorOptions, nllLoss } from './nllLoss.js';
export { perRowBatches } from './perRowBatches.js';
export { type PoissonNllLossOperatorOptions, poissonNllLoss } from './poissonNllLoss.js';
export { reduce } from './reduce.js';
export { reduceGroups } from './reduceGroups.js';
export { running } from './running.js';
export { runningGroups } from './runningGroups.js';
export { type SmoothL1LossOperatorOptions, smoothL1Loss } from './smoothL1Loss.js';
export { type SoftMarginLossOperatorOptions, softMarginLoss } from './softMarginLoss.js';
export { type TripletMarginLossOperatorOptions, tripletMarginLoss } from './tripletMarginLoss.js';
export {
  type TripletMarginWithDistanceLossOperatorOptions,
  tripletMarginWithDistanceLoss,
} from './tripletMarginWithDistanceLoss.js';
