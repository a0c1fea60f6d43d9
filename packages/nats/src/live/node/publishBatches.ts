import type { NatsConnection } from '@nats-io/nats-core';
import type { RecordBatch } from 'apache-arrow';
import { connectNats, type NatsConnectOptions } from '../../connect/connectNats.js';
import {
  type PublishBatchesOptions,
  type PublishedRun,
  publishBatches as publishConnected,
} from '../publishBatches.js';

/**
 * The root's `publishBatches`, which may also connect: pass a connected `NatsConnection`, or
 * connection options (`servers`, `token`, `credsFile`, …; `NATS_URL` / `NATS_CREDS`) and it
 * connects, publishes and closes the connection.
 *
 * @example
 * await publishBatches({ servers: 'nats://127.0.0.1:4222' }, readFile('log.arrows'), { subject: 'train.preds' });
 */
export async function publishBatches(
  connection: NatsConnection | NatsConnectOptions,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: PublishBatchesOptions,
): Promise<PublishedRun> {
  if (isConnection(connection)) return publishConnected(connection, batches, options);
  const nc = await connectNats(connection);
  try {
    return await publishConnected(nc, batches, options);
  } finally {
    await nc.close();
  }
}

function isConnection(c: NatsConnection | NatsConnectOptions): c is NatsConnection {
  return typeof (c as NatsConnection).publish === 'function';
}
