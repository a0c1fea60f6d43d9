/**
 * The protocol version of the messages the package writes (work items, states). 2: states carry
 * metric chunks beside loss chunks, items may carry `limit` and `fileSpec`. 3: items carry their
 * run's nonce, and states and failures are stored under it.
 */
export const NATS_PROTOCOL_VERSION = 3;
