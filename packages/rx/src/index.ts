export { fromBatches } from './fromBatches.js';
export { fromFile } from './fromFile.js';
export type { GroupKey, GroupState, GroupValue, LossChunk } from './LossChunk.js';
export { type L1LossOperatorOptions, l1Loss } from './l1Loss.js';
export {
  type ColumnOptions,
  type LossOperatorSpec,
  lossOperator,
  type StreamOptions,
} from './lossOperator.js';
export { lossSpec } from './lossSpec.js';
export { type MseLossOperatorOptions, mseLoss } from './mseLoss.js';
export { reduce } from './reduce.js';
export { reduceGroups } from './reduceGroups.js';
export { running } from './running.js';
export { runningGroups } from './runningGroups.js';
