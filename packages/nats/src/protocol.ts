/** The protocol version of the messages the package writes (work items, states). */
export const NATS_PROTOCOL_VERSION = 1;
