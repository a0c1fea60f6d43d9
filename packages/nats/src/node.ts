/**
 * Node-only entry of @lossflow/nats: connecting with the options production NATS users use
 * (token, user/password, `.creds` files, TLS with a CA file; `NATS_URL` / `NATS_CREDS`), and the
 * root's `fromJetStream` / `publishBatches` that may connect themselves.
 *
 * @packageDocumentation
 */

export { connectNats, type NatsConnectOptions, natsConnectionOptions } from './connect/connectNats.js';
export { NatsCredsError, readCredsFile } from './connect/readCredsFile.js';
export { connectForRun } from './distributed/connectForRun.js';
export { checkItemFile, checkItemRead, fileIdentity } from './distributed/fileIdentity.js';
export { type PlanOptions, planWorkItems } from './distributed/planWorkItems.js';
export * from './index.js';
export { fromJetStream, type NodeFromJetStreamOptions } from './live/node/fromJetStream.js';
export { publishBatches } from './live/node/publishBatches.js';
