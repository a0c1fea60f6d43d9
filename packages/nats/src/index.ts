/**
 * @lossflow/nats: lossflow on NATS JetStream. The root is universal (it takes a connected
 * `NatsConnection`, whatever transport made it); Node-only connection helpers live in
 * `@lossflow/nats/node`.
 *
 * @packageDocumentation
 */

export { decodeChunks, encodeChunks } from './distributed/chunkCodec.js';
export { type DistributedRunCode, DistributedRunError } from './distributed/DistributedRunError.js';
export {
  type DistributedRunOptions,
  distributedChunks,
  partName,
  type RunProgress,
} from './distributed/distributedChunks.js';
export { listRuns, removeRun as removeDistributedRun } from './distributed/runAdmin.js';
export { type RunNames, runNames } from './distributed/runNames.js';
export { type ServeOptions, serveWorkItems, type WorkerEvent } from './distributed/serveWorkItems.js';
export { failureKey, stateKey, type WorkItem } from './distributed/WorkItem.js';
export { type FoundRun, findRun } from './live/findRun.js';
export { type FromJetStreamOptions, fromJetStream, type LiveReadOptions } from './live/fromJetStream.js';
export { LiveRunError, type LiveRunErrorCode, type LiveRunErrorContext } from './live/LiveRunError.js';
export {
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
export { removeRun } from './live/removeRun.js';
export { NATS_PROTOCOL_VERSION } from './protocol.js';
