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
export type { MetricChunk, MetricGroupState, MetricGroupValue } from './chunks/MetricChunk.js';
export {
  type CheckedMetricOptions,
  checkMetricOptions,
  type MetricStreamOptions,
} from './metrics/checkMetricOptions.js';
export { MetricMergeCheck } from './metrics/MetricMergeCheck.js';
export { metricOperator } from './metrics/metricOperator.js';
export { type AccuracyOperatorOptions, accuracy } from './metrics/operators/accuracy.js';
export { type AurocOperatorOptions, auroc } from './metrics/operators/auroc.js';
export { type BrierScoreOperatorOptions, brierScore } from './metrics/operators/brierScore.js';
export {
  type CalibrationErrorOperatorOptions,
  calibrationError,
} from './metrics/operators/calibrationError.js';
export { type ConfusionMatrixOperatorOptions, confusionMatrix } from './metrics/operators/confusionMatrix.js';
export { type F1OperatorOptions, f1 } from './metrics/operators/f1.js';
export { type MaeOperatorOptions, mae } from './metrics/operators/mae.js';
export { type PearsonOperatorOptions, pearson } from './metrics/operators/pearson.js';
export { type PerplexityOperatorOptions, perplexity } from './metrics/operators/perplexity.js';
export { type PrecisionOperatorOptions, precision } from './metrics/operators/precision.js';
export { type R2OperatorOptions, r2 } from './metrics/operators/r2.js';
export { type RecallOperatorOptions, recall } from './metrics/operators/recall.js';
export { type RmseOperatorOptions, rmse } from './metrics/operators/rmse.js';
export { type TopKAccuracyOperatorOptions, topKAccuracy } from './metrics/operators/topKAccuracy.js';
export { reduceMetric } from './metrics/reduceMetric.js';
export { reduceMetricGroups } from './metrics/reduceMetricGroups.js';
export { reduceMetricState } from './metrics/reduceMetricState.js';
export { losses } from './operators/losses.js';
export { lossesAndMetrics } from './operators/lossesAndMetrics.js';
export { type ColumnOptions, lossOperator } from './operators/lossOperator.js';
// One operator per loss of @lossflow/core's registry, generated: a new loss needs no line here.
export * from './operators/lossOperators.js';
export { type LossOperatorFactory, type OperatorOptionsOf, operatorOf } from './operators/operatorOf.js';
export { STREAM_OPTION_KEYS, type StreamOptions } from './operators/streamOptions.js';
export { type FailurePlace, failureSentence } from './output/failureSentence.js';
export {
  type NonFiniteWord,
  type OutputKey,
  outputKey,
  outputNumber,
} from './output/outputNumber.js';
export {
  type DocumentLoss,
  type DocumentMetric,
  type DocumentRun,
  metricDocument,
  outputMetricValue,
  resultDocument,
} from './output/resultDocument.js';
export {
  type BatchGroupLimits,
  GROUP_MEMORY_BYTES,
  GroupBudget,
  type GroupBudgetOptions,
  LOSS_GROUP_BYTES,
  METRIC_ARRAY_FACTOR,
  METRIC_GROUP_BYTES,
} from './reduce/GroupBudget.js';
export { perRowBatches } from './reduce/perRowBatches.js';
export { reduce } from './reduce/reduce.js';
export { reduceGroups } from './reduce/reduceGroups.js';
export { running } from './reduce/running.js';
export { runningGroups } from './reduce/runningGroups.js';
export { fromBatches } from './sources/fromBatches.js';
export { type BytesSource, fromBytes } from './sources/fromBytes.js';
export type { LossOperatorSpec } from './specs/LossOperatorSpec.js';
export { lossSpec } from './specs/lossSpec.js';
export type { WorkerLoss, WorkerPass } from './threads/lossTask.js';
export { mergeWorkerLosses } from './threads/mergeWorkerLosses.js';
export { threadsRefusal } from './threads/threadsUnavailable.js';
export {
  type LossOperatorPlan,
  type MetricOperatorPlan,
  type PassChunks,
  type ThreadableOperator,
  WORKER_PLAN,
  type WorkerPlan,
} from './threads/workerPlan.js';
