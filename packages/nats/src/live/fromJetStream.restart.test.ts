import { trainingLogBatches } from '@lossflow/arrow';
import { crossEntropy, reduce } from '@lossflow/rx';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { from, lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { fromJetStream } from './fromJetStream.js';
import { LiveRunError } from './LiveRunError.js';
import { publishBatches } from './publishBatches.js';

// 40 KB messages on a server of 64 KB messages: with the smallest budget a pull brings one message,
// so most of the run is still on the server when it restarts.
const LOG = { rows: 4000, classes: 10, epochs: 3, batchRows: 1000 };

describe('fromJetStream across a server restart', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer({ maxPayload: '64KB' });
    nc = await connect({ servers: server.url, reconnectTimeWait: 250, maxReconnectAttempts: -1 });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('goes on from the message after the last one read when the server restarts mid-read, to the exact value', async () => {
    const published = await publishBatches(nc, trainingLogBatches(LOG), {
      subject: 'train.restart',
      run: 'r1',
    });
    expect(published.messages).toBe(12);
    const expected = await lastValueFrom(
      from([...trainingLogBatches(LOG)]).pipe(crossEntropy(), reduce('mean')),
    );
    let read = 0;
    let restarting: Promise<void> | undefined;
    let readWhenRestarted = 0;
    const live = fromJetStream({
      nc,
      subject: 'train.restart',
      run: 'r1',
      maxBytesInFlight: 1,
      onMessage: () => {
        read += 1;
        if (read === 3) {
          // SIGTERM goes out now, before the next pull.
          restarting = server.restart();
          readWhenRestarted = read;
        }
      },
    });
    expect(await lastValueFrom(live.pipe(crossEntropy(), reduce('mean')))).toBe(expected);
    await restarting;
    expect(readWhenRestarted).toBe(3);
    expect(read).toBe(12);
  });

  it('fails with INCOMPLETE_RUN, naming the last message read, when the server stays away', async () => {
    await publishBatches(nc, trainingLogBatches(LOG), { subject: 'train.gone', run: 'r1' });
    const other = await startNatsServer({ maxPayload: '64KB' });
    const onc = await connect({ servers: other.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    try {
      await publishBatches(onc, trainingLogBatches(LOG), { subject: 'train.gone', run: 'r1' });
      let stopping: Promise<void> | undefined;
      const error = await lastValueFrom(
        fromJetStream({
          nc: onc,
          subject: 'train.gone',
          run: 'r1',
          maxBytesInFlight: 1,
          resumeAttempts: 1,
          onMessage: () => {
            stopping ??= other.stop();
          },
        }),
      ).catch((e: unknown) => e);
      await stopping;
      expect(error).toBeInstanceOf(LiveRunError);
      expect(error).toMatchObject({ code: 'INCOMPLETE_RUN' });
      expect((error as LiveRunError).streamSequence).toBeGreaterThanOrEqual(1);
      expect((error as Error).message).toMatch(/lost the server 2 times/);
    } finally {
      await onc.close();
      await other.stop();
    }
  });
});
