import { StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStreamNotFound } from '../connect/isStreamNotFound.js';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { openBucket } from './openBucket.js';

describe('openBucket', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads a bucket with direct gets, and throws stream-not-found for a missing one', async () => {
    const nc = await connect({ servers: server.url });
    try {
      const made = await new Kvm(nc).create('present', { storage: StorageType.File });
      await made.put('plan', new TextEncoder().encode('p1'));
      const kv = await openBucket(nc, 'present');
      expect(new TextDecoder().decode((await kv.get('plan'))?.value)).toBe('p1');
      expect(await kv.get('absent')).toBeNull();
      const error = await openBucket(nc, 'missing').catch((e: unknown) => e);
      expect(isStreamNotFound(error)).toBe(true);
    } finally {
      await nc.close();
    }
  });

  // A message get that arrives while its stream is being created takes nats-server 2.9.10 down
  // (`jsMsgGetRequest`, a nil store). Here, reads of buckets opened with `Kvm.open` alone crash it
  // within a few dozen creations, in both cases. (A direct get of a bucket not yet there waits
  // for its timeout, so with direct gets fewer rounds of reads land in the window: this guards
  // against a return to message gets, not against the direct get itself.)
  it.each([
    ['the listed configuration', 'listed', { allow_direct: true }],
    ['no configuration (asked for)', 'asked', undefined],
  ])(
    'reading buckets while they are being created leaves the server up: %s',
    async (_, prefix, config) => {
      const maker = await connect({ servers: server.url });
      const reader = await connect({ servers: server.url });
      // Made first, so that the first round of reads finds it.
      let creating = `${prefix}0`;
      await new Kvm(maker).create(creating, { history: 1, storage: StorageType.File });
      let done = false;
      const reads = (async () => {
        while (!done) {
          const name = creating;
          await Promise.all(
            Array.from({ length: 20 }, () =>
              openBucket(reader, name, config)
                .then((kv) => kv.get('plan'))
                .catch(() => null),
            ),
          );
        }
      })();
      try {
        for (let i = 1; i <= 150; i++) {
          creating = `${prefix}${i}`;
          await new Kvm(maker).create(creating, { history: 1, storage: StorageType.File });
        }
      } finally {
        done = true;
        await reads;
        await maker.close().catch(() => undefined);
        await reader.close().catch(() => undefined);
      }
      server.assertRunning();
    },
    60_000,
  );
});
