/**
 * The protocol version of the messages the package writes (work items, states). 2: states carry
 * metric chunks beside loss chunks, items may carry `limit` and `fileSpec`.
 */
export const NATS_PROTOCOL_VERSION = 2;
