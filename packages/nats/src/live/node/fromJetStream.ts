import type { NatsConnection } from '@nats-io/nats-core';
import type { RecordBatch } from 'apache-arrow';
import { defer, finalize, from, type Observable, switchMap } from 'rxjs';
import { connectNats, type NatsConnectOptions } from '../../connect/connectNats.js';
import { fromJetStream as fromConnected, type LiveReadOptions } from '../fromJetStream.js';

/** Options of the Node {@link fromJetStream}: a connection (`nc`) or how to make one, and the run. */
export type NodeFromJetStreamOptions = LiveReadOptions &
  ({ readonly nc: NatsConnection } | NatsConnectOptions);

/**
 * The root's `fromJetStream`, which may also connect: given `servers` / `token` / `credsFile` / …
 * (or `NATS_URL` / `NATS_CREDS`) instead of `nc`, each subscription connects and closes its own
 * connection when it ends.
 *
 * @example
 * fromJetStream({ servers: 'nats://127.0.0.1:4222', subject: 'train.preds' }).pipe(crossEntropy(), reduce('mean'));
 */
export function fromJetStream(options: NodeFromJetStreamOptions): Observable<RecordBatch> {
  if ('nc' in options && options.nc !== undefined) return fromConnected(options);
  return defer(() => from(connectNats(options as NatsConnectOptions))).pipe(
    switchMap((nc) =>
      fromConnected({ ...(options as LiveReadOptions), nc }).pipe(
        finalize(() => {
          void nc.close();
        }),
      ),
    ),
  );
}
