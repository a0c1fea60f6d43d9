/**
 * @lossflow/nats: lossflow on NATS JetStream. The root is universal (it takes a connected
 * `NatsConnection`, whatever transport made it); Node-only connection helpers live in
 * `@lossflow/nats/node`.
 *
 * @packageDocumentation
 */

/** The package's name and the protocol version of the messages it writes. */
export const NATS_PROTOCOL_VERSION = 1;
