import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from './natsServer.js';

describe('startNatsServer (test harness)', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves JetStream on 127.0.0.1 with an 8 MB max payload, and survives a restart', async () => {
    const nc = await connect({ servers: server.url });
    expect(nc.info?.max_payload).toBe(8 * 1024 * 1024);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'harness', subjects: ['harness.>'], storage: StorageType.File });
    const js = jetstream(nc);
    const ack = await js.publish('harness.a', new Uint8Array(2 * 1024 * 1024));
    expect(ack.seq).toBe(1);
    await nc.close();

    await server.restart();
    const nc2 = await connect({ servers: server.url });
    const info = await (await jetstreamManager(nc2)).streams.info('harness');
    expect(info.state.messages).toBe(1);
    await nc2.close();
  });

  it('says so, with its output, when the server exits without being asked to', async () => {
    const other = await startNatsServer();
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
    try {
      expect(() => other.assertRunning()).not.toThrow();
      process.kill(other.pid(), 'SIGKILL');
      while (errors.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(() => other.assertRunning()).toThrow(
        /exited unexpectedly \(code null, signal SIGKILL\):\n.*Server is ready/s,
      );
      expect(String(errors[0])).toMatch(/exited unexpectedly/);
    } finally {
      console.error = original;
      await other.stop();
    }
  });
});
