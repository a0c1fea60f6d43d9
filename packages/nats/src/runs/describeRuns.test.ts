import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingLogBatches } from '@lossflow/arrow';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { crossEntropy, lossesAndMetrics } from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { headers } from '@nats-io/nats-core';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../connect/connectNats.js';
import { distributedChunks } from '../distributed/distributedChunks.js';
import { planWorkItems } from '../distributed/planWorkItems.js';
import { serveWorkItems } from '../distributed/serveWorkItems.js';
import { findRun } from '../live/findRun.js';
import { LiveRunError } from '../live/LiveRunError.js';
import { liveStreamConfig } from '../live/liveStreamConfig.js';
import { LIVE_HEADERS, runSubject } from '../live/liveWire.js';
import { publishBatches } from '../live/publishBatches.js';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { describeRuns } from './describeRuns.js';
import { removeRun } from './removeRun.js';
import { runNames } from './runNames.js';
import { runPlanItems } from './runPlan.js';

let server: NatsServer;
const path = join(mkdtempSync(join(tmpdir(), 'lossflow-nats-runs-')), 'log.arrows');

beforeAll(async () => {
  server = await startNatsServer();
  await writeTrainingLog(path, 'arrow-stream', { rows: 2_000, classes: 10, epochs: 3, batchRows: 300 });
});

afterAll(async () => {
  await server?.stop();
});

describe('describeRuns', () => {
  it('lists distributed and live runs, finished or not, with their sizes, oldest first; removeRun removes each', async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      // A distributed run computed to its end and kept.
      const stop = new AbortController();
      const served = serveWorkItems(nc, {
        signal: stop.signal,
        compute: (item) =>
          lastValueFrom(
            fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
              lossesAndMetrics([crossEntropy()], []),
              toArray(),
            ),
          ),
      });
      const kept = await planWorkItems('kept', [path], null, { itemBytes: 40_000 });
      await lastValueFrom(
        distributedChunks(nc, 'kept', { items: kept, keep: true, pollMs: 20 }).pipe(toArray()),
      );
      stop.abort();
      await served;
      // A distributed run planned, with no worker, whose coordinator went away.
      const waiting = await planWorkItems('waiting', [path], null, { itemBytes: 40_000 });
      const coordinator = distributedChunks(nc, 'waiting', {
        items: waiting,
        keep: true,
        pollMs: 20,
      }).subscribe();
      const kv = await new Kvm(nc).create(runNames('waiting').bucket);
      while ((await runPlanItems(kv)) === null) await new Promise((r) => setTimeout(r, 20));
      coordinator.unsubscribe();
      // A live run published to its end, and one still open (no end-of-run marker yet).
      const done = await publishBatches(
        nc,
        trainingLogBatches({ rows: 600, classes: 4, epochs: 1, batchRows: 300 }),
        {
          subject: 'train.preds',
          run: 'done',
        },
      );
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add(liveStreamConfig('train.preds', 'open', nc.info!.max_payload));
      const h = headers();
      h.set(LIVE_HEADERS.version, '1');
      h.set(LIVE_HEADERS.kind, 'batch');
      h.set(LIVE_HEADERS.seq, '0');
      await jetstream(nc).publish(runSubject('train.preds', 'open'), new Uint8Array(10), { headers: h });

      const runs = await describeRuns(nc);
      expect(runs.map((r) => `${r.kind} ${r.run}`)).toEqual([
        'distributed kept',
        'distributed waiting',
        'live done',
        'live open',
      ]);
      expect(runs[0]).toMatchObject({
        items: kept.length,
        itemsDone: kept.length,
        itemsFailed: 0,
        finished: true,
      });
      expect(runs[1]).toMatchObject({ items: waiting.length, itemsDone: 0, finished: false });
      expect(runs[2]).toMatchObject({
        subject: 'train.preds',
        messages: done.messages + 1,
        finished: true,
      });
      expect(runs[2]!.kind === 'live' && runs[2]!.bytes).toBeGreaterThan(0);
      expect(runs[3]).toMatchObject({ subject: 'train.preds', messages: 1, finished: false });
      for (const r of runs) expect(Date.parse(r.created)).toBeGreaterThan(Date.now() - 600_000);

      for (const r of runs)
        expect(
          await removeRun(
            nc,
            r.kind === 'live' ? { subject: r.subject, run: r.run } : { distributed: r.run },
          ),
        ).toBe(true);
      expect(await describeRuns(nc)).toEqual([]);
    } finally {
      await nc.close();
    }
  });
});

describe('live runs whose stream names coincide', () => {
  it('are told apart by their subject: found, refused and removed each as its own', async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      const small = { rows: 20, classes: 3, epochs: 1, batchRows: 10 };
      // Run `c` of `a_b` and run `b_c` of `a` both name the stream LOSSFLOW_LIVE_a_b_c.
      await publishBatches(nc, trainingLogBatches(small), { subject: 'a_b', run: 'c' });
      const refused = await publishBatches(nc, trainingLogBatches(small), { subject: 'a', run: 'b_c' }).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(LiveRunError);
      expect((refused as LiveRunError).message).toMatch(/would share the stream LOSSFLOW_LIVE_a_b_c/);
      // Subject `a` has no run: not `b_c` (the stream of `a_b`'s run `c`).
      await expect(findRun(jsm, 'a')).rejects.toMatchObject({ code: 'NO_RUN' });
      await expect(findRun(jsm, 'a', 'b_c')).rejects.toMatchObject({ code: 'NO_RUN' });
      expect(await removeRun(nc, { subject: 'a', run: 'b_c' })).toBe(false);
      expect((await findRun(jsm, 'a_b')).run).toBe('c');
      expect(await removeRun(nc, { subject: 'a_b', run: 'c' })).toBe(true);
      // Started together: one publishes, the other is refused (was: "jetstream is not enabled").
      for (let round = 0; round < 5; round++) {
        const both = await Promise.allSettled([
          publishBatches(nc, trainingLogBatches(small), { subject: 'x_y', run: 'z' }),
          publishBatches(nc, trainingLogBatches(small), { subject: 'x', run: 'y_z' }),
        ]);
        expect(both.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
        const lost = both.find((p) => p.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(LiveRunError);
        expect((lost.reason as LiveRunError).code).toBe('INVALID_OPTION');
        await removeRun(nc, { subject: 'x_y', run: 'z' });
        await removeRun(nc, { subject: 'x', run: 'y_z' });
      }
    } finally {
      await removeRun(nc, { subject: 'a_b', run: 'c' });
      await nc.close();
    }
  });
});
