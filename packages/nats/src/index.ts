/**
 * @lossflow/nats: lossflow on NATS JetStream. The root is universal (it takes a connected
 * `NatsConnection`, whatever transport made it); Node-only connection helpers live in
 * `@lossflow/nats/node`.
 *
 * @packageDocumentation
 */

export { DEFAULT_NATS_URL, natsServersOf } from './connect/natsServers.js';
export { redactNatsUrl } from './connect/redactNatsUrl.js';
export { decodeChunks, encodeChunks } from './distributed/chunkCodec.js';
export { type DistributedRunCode, DistributedRunError } from './distributed/DistributedRunError.js';
export {
  type DistributedRunOptions,
  distributedChunks,
  partName,
  type RunProgress,
} from './distributed/distributedChunks.js';
export { listRuns } from './distributed/listRuns.js';
export type { RunErrorReport } from './distributed/runErrorReport.js';
export { type ServeOptions, serveWorkItems, type WorkerEvent } from './distributed/serveWorkItems.js';
export { type FileIdentity, failureKey, stateKey, type WorkItem } from './distributed/WorkItem.js';
export { type FoundRun, findRun } from './live/findRun.js';
export { type FromJetStreamOptions, fromJetStream, type LiveReadOptions } from './live/fromJetStream.js';
export { LiveRunError, type LiveRunErrorCode, type LiveRunErrorContext } from './live/LiveRunError.js';
export {
  LIVE_DUPLICATE_WINDOW_MS,
  type LiveStreamLimits,
  liveStreamConfig,
} from './live/liveStreamConfig.js';
export {
  holdsLiveRun,
  isLiveSubject,
  isRunId,
  LIVE_HEADERS,
  LIVE_WIRE_VERSION,
  liveStreamName,
  newRunId,
  runSubject,
} from './live/liveWire.js';
export {
  type PublishBatchesOptions,
  type PublishedRun,
  type PublishProgress,
  publishBatches,
} from './live/publishBatches.js';
export { NATS_PROTOCOL_VERSION } from './protocol.js';
export {
  type DistributedRunInfo,
  describeRuns,
  type LiveRunInfo,
  type RunInfo,
} from './runs/describeRuns.js';
export { failRun } from './runs/failRun.js';
export { type RunToRemove, removeDistributedRun, removeRun } from './runs/removeRun.js';
export { type RunNames, runNames } from './runs/runNames.js';
