import { trainingLogBatches } from '@lossflow/arrow';
import { crossEntropy, reduce, reduceGroups } from '@lossflow/rx';
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { headers, nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Table, tableToIPC } from 'apache-arrow';
import { firstValueFrom, from, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { fromJetStream, pullPlan } from './fromJetStream.js';
import { LiveRunError } from './LiveRunError.js';
import { LIVE_DUPLICATE_WINDOW_MS, liveStreamConfig } from './liveStreamConfig.js';
import { LIVE_HEADERS, liveStreamName, runSubject } from './liveWire.js';
import { publishBatches } from './publishBatches.js';

const LOG = { rows: 3000, classes: 10, epochs: 3, batchRows: 700 };

function expectedLosses(): Promise<[number, { key: unknown; value: number; rows: number }[]]> {
  const batches = [...trainingLogBatches(LOG)];
  return Promise.all([
    lastValueFrom(from(batches).pipe(crossEntropy(), reduce('mean'))),
    lastValueFrom(from(batches).pipe(crossEntropy({ by: 'epoch' }), reduceGroups('mean'), toArray())),
  ]) as Promise<[number, { key: unknown; value: number; rows: number }[]]>;
}

describe('publishBatches → fromJetStream', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('reads a published run to its end marker, giving the bits of the batches it was made of', async () => {
    const published = await publishBatches(nc, trainingLogBatches(LOG), {
      subject: 'train.preds',
      run: 'r1',
    });
    expect(published).toMatchObject({ run: 'r1', subject: 'train.preds.r1', messages: 15, rows: 9000 });
    const [mean, groups] = await expectedLosses();
    const live = fromJetStream({ nc, subject: 'train.preds', run: 'r1' });
    expect(await lastValueFrom(live.pipe(crossEntropy(), reduce('mean')))).toBe(mean);
    const liveGroups = await lastValueFrom(
      live.pipe(crossEntropy({ by: 'epoch' }), reduceGroups('mean'), toArray()),
    );
    expect(liveGroups).toEqual(groups);
  });

  it('pulls byte budgets of whole messages, a pull ending where the next message would not fit, at most maxBytesInFlight in all', async () => {
    // A server of 64 KB messages, so the run's 40 KB messages fill a pull in two.
    const small = await startNatsServer({ maxPayload: '64KB' });
    const snc = await connect({ servers: small.url });
    try {
      const log = { ...LOG, batchRows: 1000 };
      const published = await publishBatches(snc, trainingLogBatches(log), {
        subject: 'train.pulls',
        run: 'r1',
      });
      expect(published.messages).toBe(9);
      const requests: { batch?: number; max_bytes?: number }[] = [];
      const watch = snc.subscribe('$JS.API.CONSUMER.MSG.NEXT.>', {
        callback: (_e, m) => {
          requests.push(m.json());
        },
      });
      const largest = snc.info!.max_payload;
      const budget = 3 * (largest + 4096);
      const plan = pullPlan(budget, largest);
      expect(plan).toEqual({ count: 3, bytes: largest + 4096 });
      const expected = await lastValueFrom(
        from([...trainingLogBatches(log)]).pipe(crossEntropy(), reduce('mean')),
      );
      const live = fromJetStream({ nc: snc, subject: 'train.pulls', maxBytesInFlight: budget });
      expect(await lastValueFrom(live.pipe(crossEntropy(), reduce('mean')))).toBe(expected);
      await snc.flush();
      watch.unsubscribe();
      // 10 messages, at most two a pull: the read took at least five pulls, each of the plan's bytes.
      expect(requests.length).toBeGreaterThanOrEqual(5);
      for (const r of requests) expect(r.max_bytes).toBe(plan.bytes);
    } finally {
      await snc.close();
      await small.stop();
    }
  });

  it('plans pulls within the budget, and at least one pull of the largest message', () => {
    expect(pullPlan(64 << 20, 8 << 20)).toEqual({ count: 4, bytes: 16 << 20 });
    expect(pullPlan(1 << 20, 8 << 20)).toEqual({ count: 1, bytes: (8 << 20) + 4096 });
    expect(pullPlan(20 << 20, 8 << 20)).toEqual({ count: 2, bytes: (8 << 20) + 4096 });
  });

  it("reads a run whose retried publish was stored after later messages in the run's order, to the exact value", async () => {
    // The first publish of batch message 3 is lost (no ack, nothing stored) and answered late, so
    // the publisher's retry lands after messages 4, 5, … that it sent meanwhile.
    let dropped = false;
    const lossy = new Proxy(nc, {
      get(target, key) {
        if (key === 'request') {
          return (subject: string, data: Uint8Array, opts: { headers?: { get(k: string): string } }) => {
            if (!dropped && opts?.headers?.get('Nats-Msg-Id') === 'r1/3') {
              dropped = true;
              return new Promise((_resolve, reject) => setTimeout(() => reject(new Error('timeout')), 100));
            }
            return target.request(subject, data, opts as never);
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const published = await publishBatches(lossy, trainingLogBatches(LOG), {
      subject: 'train.late',
      run: 'r1',
    });
    expect(dropped).toBe(true);
    expect(published.messages).toBe(15);
    const jsm = await jetstreamManager(nc);
    const stream = liveStreamName('train.late', 'r1');
    const order: number[] = [];
    for (let seq = 1; seq <= 15; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      order.push(Number(m?.header.get(LIVE_HEADERS.seq)));
    }
    expect(order.indexOf(3)).toBeGreaterThan(order.indexOf(4));
    const [mean, groups] = await expectedLosses();
    const live = fromJetStream({ nc, subject: 'train.late', run: 'r1' });
    expect(await lastValueFrom(live.pipe(crossEntropy(), reduce('mean')))).toBe(mean);
    expect(
      await lastValueFrom(live.pipe(crossEntropy({ by: 'epoch' }), reduceGroups('mean'), toArray())),
    ).toEqual(groups);
  });

  it('splits batches above the largest message by rows, and reads them back as the same rows', async () => {
    const published = await publishBatches(nc, trainingLogBatches(LOG), {
      subject: 'train.split',
      run: 'r1',
      maxMessageBytes: 4096 + 12_000,
    });
    expect(published.messages).toBeGreaterThan(15);
    const [mean] = await expectedLosses();
    const batches = await lastValueFrom(fromJetStream({ nc, subject: 'train.split' }).pipe(toArray()));
    expect(batches.every((b) => b.numRows < 700)).toBe(true);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(9000);
    expect(await lastValueFrom(from(batches).pipe(crossEntropy(), reduce('mean')))).toBe(mean);
  });

  it('refuses to publish a run id again (RUN_EXISTS) and stores nothing of the second publish', async () => {
    await publishBatches(nc, trainingLogBatches(LOG), { subject: 'train.retry', run: 'r1' });
    // The whole run published again with the same id, as a restarted job would.
    const again = await publishBatches(nc, trainingLogBatches(LOG), {
      subject: 'train.retry',
      run: 'r1',
    }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(LiveRunError);
    expect(again).toMatchObject({ code: 'RUN_EXISTS', run: 'r1' });
    const info = await (await jetstreamManager(nc)).streams.info(liveStreamName('train.retry', 'r1'));
    expect(info.state.messages).toBe(16);
    const [mean] = await expectedLosses();
    const live = fromJetStream({ nc, subject: 'train.retry', run: 'r1' });
    expect(await lastValueFrom(live.pipe(crossEntropy(), reduce('mean')))).toBe(mean);
  });

  it('of two concurrent publishers of one run id, exactly one succeeds and the run holds its file alone', async () => {
    const other = { ...LOG, rows: 2000, classes: 7 };
    const results = await Promise.allSettled([
      publishBatches(nc, trainingLogBatches(LOG), { subject: 'train.two', run: 'r1' }),
      publishBatches(nc, trainingLogBatches(other), { subject: 'train.two', run: 'r1' }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'RUN_EXISTS' });
    const winner = results[0]!.status === 'fulfilled' ? LOG : other;
    const expected = await lastValueFrom(
      from([...trainingLogBatches(winner)]).pipe(crossEntropy(), reduce('mean')),
    );
    const live = fromJetStream({ nc, subject: 'train.two', run: 'r1' });
    expect(await lastValueFrom(live.pipe(crossEntropy(), reduce('mean')))).toBe(expected);
  });

  it('fails a publish whose message the server reports as a duplicate it did not send', async () => {
    // Another publisher's message with this run's next message id, stored after the claim.
    const js = jetstream(nc);
    const seen: number[] = [];
    const error = await publishBatches(nc, trainingLogBatches(LOG), {
      subject: 'train.dup',
      run: 'r1',
      onProgress: (p) => {
        seen.push(p.messages);
        if (p.messages === 1) {
          const h = headers();
          h.set(LIVE_HEADERS.kind, 'batch');
          void js.publish(runSubject('train.dup', 'r1'), new Uint8Array(1), { msgID: 'r1/1', headers: h });
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RUN_EXISTS' });
    expect(seen.at(-1)).toBe(1);
  });

  it('creates the run stream with an explicit config: file storage, an hour of dedupe, max_payload messages, discard new', async () => {
    await publishBatches(nc, trainingLogBatches(LOG), { subject: 'train.config', run: 'r1' });
    const jsm = await jetstreamManager(nc);
    const { config } = await jsm.streams.info(liveStreamName('train.config', 'r1'));
    expect(config).toMatchObject({
      subjects: [runSubject('train.config', 'r1')],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      duplicate_window: nanos(LIVE_DUPLICATE_WINDOW_MS),
      max_msg_size: nc.info!.max_payload,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
    });
  });

  it('refuses a publish past maxBytes, keeping every message stored (no silent drop), and a reader gets the publisher’s failure', async () => {
    const publishing = publishBatches(nc, trainingLogBatches(LOG), {
      subject: 'train.full',
      run: 'r1',
      limits: { maxBytes: 100_000, maxAgeMs: 3_600_000 },
    });
    await expect(publishing).rejects.toThrow(/maximum bytes/i);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(liveStreamName('train.full', 'r1'));
    expect(info.config.max_age).toBe(nanos(3_600_000));
    expect(info.state.first_seq).toBe(1);
    expect(info.state.messages).toBeGreaterThan(0);
    const error = await lastValueFrom(
      fromJetStream({ nc, subject: 'train.full', run: 'r1', wait: false }),
    ).catch((e: unknown) => e);
    // The publisher closed the run with a failure marker, which the stream still had room for.
    expect(error).toBeInstanceOf(LiveRunError);
    expect((error as LiveRunError).code).toBe('PUBLISHER_FAILED');
    expect((error as LiveRunError).message).toMatch(/maximum bytes/i);
  });

  it('closes a run whose source fails mid-way with a failure marker: a following reader fails with its reason, never waits forever', async () => {
    function* failing() {
      const batches = trainingLogBatches(LOG);
      let n = 0;
      for (const batch of batches) {
        if (n++ === 2) throw new Error('the log file was cut short at batch 2');
        yield batch;
      }
    }
    await expect(publishBatches(nc, failing(), { subject: 'train.broken', run: 'r1' })).rejects.toThrow(
      /cut short/,
    );
    const error = await lastValueFrom(
      fromJetStream({ nc, subject: 'train.broken', run: 'r1', wait: true }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveRunError);
    expect((error as LiveRunError).code).toBe('PUBLISHER_FAILED');
    expect((error as LiveRunError).message).toMatch(
      /the publisher failed before the end of the run: the log file was cut short at batch 2/,
    );
  });

  it('follows a run still being published, from its start to its end marker', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let started!: () => void;
    const publishedTwo = new Promise<void>((resolve) => {
      started = resolve;
    });
    async function* paused() {
      let i = 0;
      for (const batch of trainingLogBatches(LOG)) {
        if (i === 2) {
          started();
          await gate;
        }
        i += 1;
        yield batch;
      }
    }
    const publishing = publishBatches(nc, paused(), { subject: 'train.follow', run: 'later' });
    await publishedTwo;
    let read = 0;
    const reading = lastValueFrom(
      fromJetStream({
        nc,
        subject: 'train.follow',
        onMessage: () => {
          read += 1;
          if (read === 2) open();
        },
      }).pipe(toArray()),
    );
    const batches = await reading;
    await publishing;
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(9000);
  });

  it('waits for the end marker of an open run, and with wait: false says the run is incomplete', async () => {
    const js = jetstream(nc);
    const first = [...trainingLogBatches(LOG)].slice(0, 2);
    // A run without its marker (its publisher still running): its stream and two batch messages.
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(liveStreamConfig('train.open', 'r1', nc.info!.max_payload));
    for (const [seq, batch] of first.entries()) {
      const h = headers();
      h.set(LIVE_HEADERS.version, '1');
      h.set(LIVE_HEADERS.kind, 'batch');
      h.set(LIVE_HEADERS.seq, String(seq));
      await js.publish(runSubject('train.open', 'r1'), tableToIPC(new Table([batch]), 'stream'), {
        headers: h,
      });
    }
    const error = await lastValueFrom(fromJetStream({ nc, subject: 'train.open', wait: false })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LiveRunError);
    expect((error as LiveRunError).code).toBe('INCOMPLETE_RUN');

    const waiting = lastValueFrom(fromJetStream({ nc, subject: 'train.open', run: 'r1' }).pipe(toArray()));
    const early = await firstValueFrom(
      fromJetStream({ nc, subject: 'train.open', run: 'r1' }).pipe(take(2), toArray()),
    );
    expect(early.length).toBe(2);
    const h = headers();
    h.set(LIVE_HEADERS.version, '1');
    h.set(LIVE_HEADERS.kind, 'end');
    h.set(LIVE_HEADERS.batches, '2');
    await js.publish(runSubject('train.open', 'r1'), new Uint8Array(0), { headers: h });
    expect((await waiting).length).toBe(2);
  });

  it('reports a gap (a lost batch message) as an error naming the subject and sequence', async () => {
    await publishBatches(nc, trainingLogBatches(LOG), { subject: 'train.gap', run: 'r1' });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.deleteMessage(liveStreamName('train.gap', 'r1'), 4);
    const error = await lastValueFrom(fromJetStream({ nc, subject: 'train.gap' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveRunError);
    expect(error).toMatchObject({ code: 'GAP', subject: 'train.gap.r1', streamSequence: 5, batch: 3 });
  });

  it('reports a damaged message with its subject and stream sequence', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await publishBatches(nc, [], { subject: 'train.bad', run: 'r1' });
    await jsm.streams.purge(liveStreamName('train.bad', 'r1'));
    const h = headers();
    h.set(LIVE_HEADERS.version, '1');
    h.set(LIVE_HEADERS.kind, 'batch');
    h.set(LIVE_HEADERS.seq, '0');
    await js.publish(runSubject('train.bad', 'r1'), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), { headers: h });
    const error = await lastValueFrom(fromJetStream({ nc, subject: 'train.bad' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveRunError);
    expect(error).toMatchObject({ code: 'DAMAGED_MESSAGE', subject: 'train.bad.r1', streamSequence: 2 });
    expect((error as Error).message).toContain("subject 'train.bad.r1', stream sequence 2");
  });

  it('names a missing run, and deletes its consumer when unsubscribed', async () => {
    const missing = await lastValueFrom(fromJetStream({ nc, subject: 'train.none' })).catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ code: 'NO_RUN' });

    await publishBatches(nc, trainingLogBatches(LOG), { subject: 'train.stop', run: 'r1' });
    const jsm = await jetstreamManager(nc);
    const stream = liveStreamName('train.stop', 'r1');
    await firstValueFrom(fromJetStream({ nc, subject: 'train.stop', maxBytesInFlight: 1 << 20 }));
    for (let i = 0; i < 100; i++) {
      if ((await jsm.streams.info(stream)).state.consumer_count === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await jsm.streams.info(stream)).state.consumer_count).toBe(0);
  });
});

describe('a live run removed while in use', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });
  const remove = (run: string) =>
    jetstreamManager(nc).then((jsm) => jsm.streams.delete(liveStreamName('train.gone', run)));

  it('fails the publisher with RUN_REMOVED, not "JetStream is not enabled"', async () => {
    async function* batches() {
      let i = 0;
      for (const batch of trainingLogBatches(LOG)) {
        if (i++ === 2) await remove('p1');
        yield batch;
      }
    }
    const failure = await publishBatches(nc, batches(), {
      subject: 'train.gone',
      run: 'p1',
      retries: 1,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LiveRunError);
    expect((failure as LiveRunError).code).toBe('RUN_REMOVED');
  });
});
