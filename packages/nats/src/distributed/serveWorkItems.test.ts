import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { crossEntropy, lossesAndMetrics } from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import {
  AckPolicy,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../connect/connectNats.js';
import { NATS_PROTOCOL_VERSION } from '../protocol.js';
import { removeRun } from '../runs/removeRun.js';
import { type RunNames, runNames } from '../runs/runNames.js';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { distributedChunks } from './distributedChunks.js';
import { planWorkItems } from './planWorkItems.js';
import { NONCE_KEY } from './runNonce.js';
import { serveWorkItems, type WorkerEvent } from './serveWorkItems.js';
import type { WorkItem } from './WorkItem.js';

let server: NatsServer;
const path = join(mkdtempSync(join(tmpdir(), 'lossflow-nats-serve-')), 'log.arrows');

beforeAll(async () => {
  server = await startNatsServer();
  await writeTrainingLog(path, 'arrow-stream', { rows: 2_000, classes: 10, epochs: 3, batchRows: 300 });
});

afterAll(async () => {
  await server?.stop();
});

/** Stops the worker, removes every stream the test made (buckets too) and closes the connection. */
async function stopServing(
  nc: NatsConnection,
  stop: AbortController,
  served: Promise<unknown>,
): Promise<void> {
  stop.abort();
  await served.catch(() => undefined);
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
  await nc.close();
}

/** A run's work queue and its workers' consumer, as a coordinator makes them, with no item yet. */
async function addRunQueue(jsm: JetStreamManager, names: RunNames): Promise<void> {
  await jsm.streams.add({
    name: names.stream,
    subjects: [names.subject],
    retention: RetentionPolicy.Workqueue,
  });
  await jsm.consumers.add(names.stream, { durable_name: names.consumer, ack_policy: AckPolicy.Explicit });
}

/**
 * A run as a coordinator makes it, holding item 0 (of nonce `current`): its work queue, its
 * workers' consumer and its bucket.
 */
async function addRunWithItem(nc: NatsConnection, run: string): Promise<void> {
  const names = runNames(run);
  await addRunQueue(await jetstreamManager(nc), names);
  const bucket = await new Kvm(nc).create(names.bucket, { history: 1 });
  await bucket.put(NONCE_KEY, new TextEncoder().encode('current'));
  const item = { v: NATS_PROTOCOL_VERSION, run, index: 0, nonce: 'current' };
  await jetstream(nc).publish(names.subject, JSON.stringify(item));
}

/**
 * A worker connected to a server of its own (reconnecting forever), serving one item that it
 * computes until {@link loseServer} stops that server: `compute` then returns nothing, or (`fails`)
 * throws an error of the run, which fails the item for good on this delivery. `onEvent` is given
 * the worker's stop controller; `onRequest` sees every request the worker makes.
 */
async function workerOnItsOwnServer(options: {
  readonly fails: boolean;
  readonly onEvent: (event: WorkerEvent, stop: AbortController) => void;
  readonly onRequest?: (subject: string, stop: AbortController) => void;
}) {
  const away = await startNatsServer();
  const nc = await connect({ servers: away.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const stop = new AbortController();
  const request = nc.request.bind(nc);
  nc.request = (subject, ...rest) => {
    options.onRequest?.(subject, stop);
    return request(subject, ...rest);
  };
  const computing = whenCalled();
  const gone = whenCalled();
  const served = serveWorkItems(nc, {
    signal: stop.signal,
    onEvent: (e) => options.onEvent(e, stop),
    compute: async () => {
      computing.call();
      await gone.happened;
      if (options.fails) throw new Error('no column y');
      return [];
    },
    ...(options.fails ? { runError: (error: unknown) => ({ message: String(error), exitCode: 2 }) } : {}),
  });
  return {
    stop,
    served,
    /** Publishes run `run`'s item and stops the server while the worker computes it. */
    loseServer: async (run: string): Promise<void> => {
      await addRunWithItem(nc, run);
      await computing.happened;
      await away.stop();
      gone.call();
    },
    end: async (): Promise<void> => {
      gone.call();
      stop.abort();
      await served.catch(() => undefined);
      await nc.close();
      await away.stop();
    },
  };
}

/** A promise and what settles it, for a test to say when something happened. */
function whenCalled(): { readonly happened: Promise<void>; readonly call: () => void } {
  let call = (): void => undefined;
  const happened = new Promise<void>((resolve) => {
    call = resolve;
  });
  return { happened, call };
}

describe('serveWorkItems', () => {
  it('pulls nothing from kept or abandoned runs: a run beside five of them costs the pulls it costs alone', async () => {
    const nc = await connectNats({ servers: server.url });
    const pulls = new Map<string, number>();
    const stop = new AbortController();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      onPull: (stream) => pulls.set(stream, (pulls.get(stream) ?? 0) + 1),
      compute: (item) =>
        lastValueFrom(
          fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
            lossesAndMetrics([crossEntropy({ by: 'epoch' })], []),
            toArray(),
          ),
        ),
    });
    const run = async (id: string, keep: boolean): Promise<number> => {
      const items = await planWorkItems(id, [path], null, { itemBytes: 40_000 });
      await lastValueFrom(distributedChunks(nc, id, { items, keep, pollMs: 20 }).pipe(toArray()));
      return items.length;
    };
    try {
      const items = await run('alone', false);
      const alone = pulls.get(runNames('alone').stream) ?? 0;
      expect(alone).toBeGreaterThanOrEqual(items);
      // Four runs kept after they finished, and one whose coordinator went away after its first
      // item (the worker computes the rest; nobody merges them).
      for (const id of ['kept-1', 'kept-2', 'kept-3', 'kept-4']) await run(id, true);
      const abandoned = await planWorkItems('abandoned', [path], null, { itemBytes: 40_000 });
      await new Promise<void>((resolve, reject) => {
        const subscription = distributedChunks(nc, 'abandoned', {
          items: abandoned,
          keep: true,
          pollMs: 20,
          onProgress: (p) => {
            if (p.itemsDone > 0) {
              queueMicrotask(() => subscription.unsubscribe());
              resolve();
            }
          },
        }).subscribe({ error: reject });
      });
      const jsm = await jetstreamManager(nc);
      for (let look = 0; ; look++) {
        const info = await jsm.consumers.info(runNames('abandoned').stream, 'workers');
        if (info.num_pending === 0 && info.num_ack_pending === 0) break;
        expect(look).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      const idle = ['kept-1', 'kept-2', 'kept-3', 'kept-4', 'abandoned'].map((id) => runNames(id).stream);
      pulls.clear();
      await run('beside', false);
      for (const stream of idle) expect(pulls.get(stream) ?? 0, stream).toBe(0);
      // The same items, the same pulls (give or take the last one's timing).
      expect(pulls.get(runNames('beside').stream) ?? 0).toBeLessThanOrEqual(alone + 2);
    } finally {
      stop.abort();
      await served;
      const jsm = await jetstreamManager(nc);
      for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
      await nc.close();
    }
  });

  it('drops malformed items and items of a removed run, and goes on serving', async () => {
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      compute: (item) =>
        lastValueFrom(
          fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
            lossesAndMetrics([crossEntropy({ by: 'epoch' })], []),
            toArray(),
          ),
        ),
    });
    let crashed: unknown;
    served.catch((e: unknown) => {
      crashed = e;
    });
    try {
      // A run's work queue holding no lossflow item, a bad run id, and an item of a run whose
      // bucket is gone (removed between the pull and the worker's look at it).
      const names = runNames('junk');
      const jsm = await jetstreamManager(nc);
      await addRunQueue(jsm, names);
      const js = jetstream(nc);
      await js.publish(names.subject, 'null');
      await js.publish(names.subject, JSON.stringify({ v: 2, run: '../not a run', index: 0 }));
      await js.publish(names.subject, JSON.stringify({ v: 2, run: 'gone', index: 0 }));
      for (let look = 0; ; look++) {
        const info = await jsm.consumers.info(names.stream, names.consumer);
        if (info.num_pending === 0) break;
        expect(crashed).toBeUndefined();
        expect(look).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      // Still serving: a real run completes.
      const items = await planWorkItems('after-junk', [path], null, { itemBytes: 40_000 });
      const chunks = await lastValueFrom(
        distributedChunks(nc, 'after-junk', { items, pollMs: 20 }).pipe(toArray()),
      );
      expect(chunks.length).toBeGreaterThan(0);
      expect(crashed).toBeUndefined();
      // Dropped (terminated), not handed back to be delivered again and again.
      expect((await jsm.consumers.info(names.stream, names.consumer)).num_redelivered).toBe(0);
    } finally {
      await stopServing(nc, stop, served);
    }
  });

  it('drops, without handing it back, an item of a run whose bucket went after the worker opened it', async () => {
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    const events: WorkerEvent[] = [];
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      onEvent: (e) => events.push(e),
      compute: () => Promise.reject(new Error('no item of this run is ever computed')),
    });
    try {
      const names = runNames('opened');
      const jsm = await jetstreamManager(nc);
      await addRunQueue(jsm, names);
      const bucket = await new Kvm(nc).create(names.bucket, { history: 1 });
      await bucket.put(NONCE_KEY, new TextEncoder().encode('current'));
      const js = jetstream(nc);
      const item = (index: number): string =>
        JSON.stringify({ v: NATS_PROTOCOL_VERSION, run: 'opened', index, nonce: 'stale' });
      const dropped = async (index: number): Promise<string[]> => {
        for (let look = 0; look < 1_000; look++) {
          const reasons = events.flatMap((e) =>
            e.type === 'dropped' && e.item.index === index ? [e.reason] : [],
          );
          if (reasons.length > 0) return reasons;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`item ${index} was not dropped`);
      };
      // The worker opens the bucket for the first item (a stale run's: dropped as such)...
      await js.publish(names.subject, item(0));
      expect(await dropped(0)).toEqual(['run opened ended (a new run of that id started)']);
      // ...then the bucket goes. Reading it again waits for a timeout instead of saying "not found".
      await bucket.destroy();
      await js.publish(names.subject, item(1));
      expect(await dropped(1)).toEqual(['run opened ended']);
      // Not handed back (a nak to a reply subject a new run of the id may use): no redelivery.
      expect((await jsm.consumers.info(names.stream, names.consumer)).num_redelivered).toBe(0);
    } finally {
      await stopServing(nc, stop, served);
    }
  }, 30_000);

  it('hands back, without computing it, an item it was stopped while opening', async () => {
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    const events: WorkerEvent['type'][] = [];
    let computed = 0;
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      // Stopped as the item arrives: before the worker has opened its run's bucket.
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'item') stop.abort();
      },
      compute: (_item, signal) => {
        computed++;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('stopped'))),
        );
      },
    });
    try {
      await addRunWithItem(nc, 'opening');
      await served;
      expect(computed).toBe(0);
      expect(events).toEqual(['item', 'released']);
      // Handed back at once: a pull gets it again long before the consumer's 30 s ack wait.
      const names = runNames('opening');
      const again = await (await jetstream(nc).consumers.get(names.stream, names.consumer)).next({
        expires: 10_000,
      });
      expect(again?.json<{ index: number }>().index).toBe(0);
      expect(again?.info.deliveryCount).toBe(2);
    } finally {
      await stopServing(nc, stop, served);
    }
  }, 30_000);

  it('waits for a server that is away as it starts, and returns when stopped rather than failing', async () => {
    const away = await startNatsServer();
    // As a worker connects (connectForRun): it never gives up on the server.
    const nc = await connect({ servers: away.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    await away.stop();
    const stop = new AbortController();
    const served = serveWorkItems(nc, { signal: stop.signal, compute: () => Promise.resolve([]) });
    stop.abort();
    try {
      // Its first question to the server times out: not an error of the worker, which was stopped.
      await expect(served).resolves.toBeUndefined();
    } finally {
      await nc.close();
    }
  }, 30_000);

  it('stops, not after its retries, while it gives back an item whose server went away', async () => {
    const events: WorkerEvent['type'][] = [];
    const lost = whenCalled();
    const worker = await workerOnItsOwnServer({
      fails: false,
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'lost') lost.call();
      },
    });
    try {
      await worker.loseServer('went-away');
      // Storing timed out: the worker records the release again and again while the server is away.
      await lost.happened;
      worker.stop.abort();
      // A few requests of 5 s each (the request timeout), never the 40 tries of a worker kept running.
      await worker.served;
      expect(events).toEqual(['item', 'lost']);
    } finally {
      await worker.end();
    }
  }, 90_000);

  it('says it lost the server, not that the run ended, when an item fails for good while the server is away', async () => {
    const events: WorkerEvent['type'][] = [];
    const told = whenCalled();
    const worker = await workerOnItsOwnServer({
      fails: true,
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'lost' || e.type === 'dropped') told.call();
      },
    });
    try {
      await worker.loseServer('fails-while-away');
      // Neither its failure nor its run's nonce can be read or written: the item is redelivered
      // once the server is back, so its run has not ended.
      await told.happened;
      expect(events).toEqual(['item', 'failed', 'lost']);
    } finally {
      await worker.end();
    }
  }, 90_000);

  it('asks the server nothing more to tell a lost server from a removed run once stopped, when an item fails for good while the server is away', async () => {
    const events: WorkerEvent['type'][] = [];
    // The subjects the worker asks after it is stopped (each a 5 s timeout while the server is away).
    const asked: string[] = [];
    const worker = await workerOnItsOwnServer({
      fails: true,
      onEvent: (e, stop) => {
        events.push(e.type);
        // Stopped as the item fails for good: its failure cannot be written.
        if (e.type === 'failed') stop.abort();
      },
      onRequest: (subject, stop) => {
        if (stop.signal.aborted) asked.push(subject);
      },
    });
    try {
      await worker.loseServer('stops-while-away');
      await worker.served;
      // Left for redelivery, released as a stopping worker says (not "lost the server; retrying"):
      // whether the run still exists would only change that word, not worth another request
      // timeout of a worker that is exiting.
      expect(events).toEqual(['item', 'failed', 'released']);
      expect(asked.filter((s) => s.includes('STREAM.INFO'))).toEqual([]);
    } finally {
      await worker.end();
    }
  }, 90_000);

  it('drops an item whose run was removed while it computed it, rather than retrying as if the server were away', async () => {
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    const events: WorkerEvent['type'][] = [];
    const computing = whenCalled();
    const removed = whenCalled();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      onEvent: (e) => events.push(e.type),
      // Ends once its run is removed: nowhere to store its states.
      compute: async () => {
        computing.call();
        await removed.happened;
        return [];
      },
    });
    try {
      await addRunWithItem(nc, 'removed-meanwhile');
      await computing.happened;
      await removeRun(nc, { distributed: 'removed-meanwhile' });
      removed.call();
      for (let look = 0; events.length < 2; look++) {
        expect(look).toBeLessThan(3_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(events).toEqual(['item', 'dropped']);
    } finally {
      removed.call();
      await stopServing(nc, stop, served);
    }
  }, 90_000);

  it('pulls the next item while it computes one, and hands the held item back when stopped', async () => {
    const nc = await connectNats({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    const names = runNames('ahead');
    const compute = (item: WorkItem) =>
      lastValueFrom(
        fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
          lossesAndMetrics([crossEntropy({ by: 'epoch' })], []),
          toArray(),
        ),
      );
    // The first worker computes its first item until it stops.
    const stop = new AbortController();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      compute: (_item, signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))),
    });
    const stopLater = new AbortController();
    let later: Promise<void> | undefined;
    const items = await planWorkItems('ahead', [path], null, { itemBytes: 40_000 });
    expect(items.length).toBeGreaterThan(2);
    // An ack wait longer than the test: an item held by the stopped worker comes back only if released.
    const run = lastValueFrom(distributedChunks(nc, 'ahead', { items, ackWaitMs: 600_000 }).pipe(toArray()));
    try {
      // One item computed, one pulled and held beside it: two out with this one worker.
      for (let look = 0; ; look++) {
        const info = await jsm.consumers.info(names.stream, names.consumer).catch(() => null);
        if (info?.num_ack_pending === 2) break;
        expect(look).toBeLessThan(1_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      stop.abort();
      await served;
      // Another worker computes them all: both went back when the first one stopped.
      later = serveWorkItems(nc, { signal: stopLater.signal, compute });
      expect((await run).length).toBeGreaterThan(0);
    } finally {
      stop.abort();
      stopLater.abort();
      await served.catch(() => undefined);
      await later?.catch(() => undefined);
      await removeRun(nc, { distributed: 'ahead' }).catch(() => false);
      await nc.close();
    }
  });

  it('looks for runs when a coordinator has queued items, not only after its idle wait', async () => {
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    // An idle wait far longer than the test: only the coordinator's word brings the worker.
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      idleMs: 600_000,
      compute: (item) =>
        lastValueFrom(
          fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
            lossesAndMetrics([crossEntropy({ by: 'epoch' })], []),
            toArray(),
          ),
        ),
    });
    try {
      for (const id of ['first-run', 'second-run']) {
        const items = await planWorkItems(id, [path], null, { itemBytes: 40_000 });
        const chunks = await lastValueFrom(distributedChunks(nc, id, { items }).pipe(toArray()));
        expect(chunks.length).toBeGreaterThan(0);
      }
    } finally {
      stop.abort();
      await served.catch(() => undefined);
      await nc.close();
    }
  });
});
