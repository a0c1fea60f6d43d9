import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

/** The stream that holds KV bucket `bucket`. */
export function bucketStream(bucket: string): string {
  return `KV_${bucket}`;
}

/**
 * Opens the existing KV bucket `bucket`, reading it with direct gets where the bucket allows them
 * (every bucket made on nats-server ≥ 2.9, as lossflow makes them).
 *
 * Why not `Kvm.open` alone: it only binds, and a bound bucket reads through
 * `$JS.API.STREAM.MSG.GET`. nats-server 2.9.10 (Debian 12's) answers that request with a nil
 * pointer panic, which stops the whole server, when it comes while the bucket's stream is being
 * created: the stream is listed before its store exists. A direct get is answered by the stream
 * itself, once it is set up. One difference: a direct get of a bucket removed since it was opened
 * waits for its timeout instead of saying "stream not found" (ask with `streamRemoved`).
 *
 * @param config the bucket stream's configuration where the caller has it (from a stream
 *   listing); otherwise the server is asked for it.
 * @throws the server's stream-not-found error (`JetStreamApiError`) when there is no such bucket
 * @example
 * const kv = await openBucket(nc, runNames('nightly-7').bucket);
 * const plan = await kv.get('plan');
 */
export async function openBucket(
  nc: NatsConnection,
  bucket: string,
  config?: Pick<StreamConfig, 'allow_direct'>,
): Promise<KV> {
  const known =
    config ??
    (await (await jetstreamManager(nc, { checkAPI: false })).streams.info(bucketStream(bucket))).config;
  return new Kvm(nc).open(bucket, { allow_direct: known.allow_direct === true });
}
