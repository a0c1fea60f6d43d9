import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type NatsConnectOptions, natsConnectionOptions } from '../connect/connectNats.js';

/**
 * Connects for a distributed run (a coordinator or a worker): as `connectNats`, but it never gives
 * up reconnecting, so a NATS server restarted mid-run (its file store keeps the run) is waited for.
 *
 * @example
 * const nc = await connectForRun({ servers: 'nats://127.0.0.1:4222' });
 */
export async function connectForRun(options: NatsConnectOptions = {}): Promise<NatsConnection> {
  return connect({
    ...(await natsConnectionOptions(options)),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
}
