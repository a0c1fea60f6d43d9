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
export { listRuns, removeRun } from './distributed/runAdmin.js';
export { isRunId, newRunId, type RunNames, runNames } from './distributed/runNames.js';
export { type ServeOptions, serveWorkItems, type WorkerEvent } from './distributed/serveWorkItems.js';
export { failureKey, stateKey, type WorkItem } from './distributed/WorkItem.js';
export { NATS_PROTOCOL_VERSION } from './protocol.js';
