export { fromBatches } from './fromBatches.js';
export { type FromFileOptions, fromFile } from './fromFile.js';
export type {
  ChunkSteps,
  GroupKey,
  GroupState,
  GroupValue,
  LossChunk,
  RowDtypes,
  RowShapes,
} from './LossChunk.js';
export { losses } from './losses.js';
export {
  type ColumnOptions,
  type LossOperatorSpec,
  lossOperator,
  type StreamOptions,
} from './lossOperator.js';
export { lossSpec } from './lossSpec.js';
// One operator per loss of @lossflow/core's registry, generated: a new loss needs no line here.
export * from './operators/lossOperators.js';
export { type LossOperatorFactory, type OperatorOptionsOf, operatorOf } from './operators/operatorOf.js';
export { perRowBatches } from './perRowBatches.js';
export { reduce } from './reduce.js';
export { reduceGroups } from './reduceGroups.js';
export { running } from './running.js';
export { runningGroups } from './runningGroups.js';
