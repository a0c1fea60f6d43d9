// The universal root: nothing here (transitively) imports node:*. Files by path and worker
// threads are in '@lossflow/rx/node'.
export type {
  ChunkSteps,
  GroupKey,
  GroupState,
  GroupValue,
  LossChunk,
  RowDtypes,
  RowShapes,
} from './chunks/LossChunk.js';
export { losses } from './operators/losses.js';
export { type ColumnOptions, lossOperator } from './operators/lossOperator.js';
// One operator per loss of @lossflow/core's registry, generated: a new loss needs no line here.
export * from './operators/lossOperators.js';
export { type LossOperatorFactory, type OperatorOptionsOf, operatorOf } from './operators/operatorOf.js';
export { STREAM_OPTION_KEYS, type StreamOptions } from './operators/streamOptions.js';
export { perRowBatches } from './reduce/perRowBatches.js';
export { reduce } from './reduce/reduce.js';
export { reduceGroups } from './reduce/reduceGroups.js';
export { running } from './reduce/running.js';
export { runningGroups } from './reduce/runningGroups.js';
export { fromBatches } from './sources/fromBatches.js';
export { type BytesSource, fromBytes } from './sources/fromBytes.js';
export type { LossOperatorSpec } from './specs/LossOperatorSpec.js';
export { lossSpec } from './specs/lossSpec.js';
export { threadsRefusal } from './threads/threadsUnavailable.js';
export {
  type LossOperatorPlan,
  type ThreadableOperator,
  WORKER_PLAN,
  type WorkerPlan,
} from './threads/workerPlan.js';
