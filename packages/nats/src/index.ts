/**
 * @lossflow/nats: lossflow on NATS JetStream. The root is universal (it takes a connected
 * `NatsConnection`, whatever transport made it); Node-only connection helpers live in
 * `@lossflow/nats/node`.
 *
 * @packageDocumentation
 */

/** The package's name and the protocol version of the messages it writes. */
export const NATS_PROTOCOL_VERSION = 1;

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
