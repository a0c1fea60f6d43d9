import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { accuracy, crossEntropy, lossesAndMetrics, reduce, reduceGroups, reduceMetric } from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import { forkJoin, lastValueFrom, map, share, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../connect/connectNats.js';
import { describeRuns } from '../runs/describeRuns.js';
import { openBucket } from '../runs/openBucket.js';
import { removeRun } from '../runs/removeRun.js';
import { runNames } from '../runs/runNames.js';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { DistributedRunError } from './DistributedRunError.js';
import { distributedChunks } from './distributedChunks.js';
import { listRuns } from './listRuns.js';
import { planWorkItems } from './planWorkItems.js';
import { readRunNonce } from './runNonce.js';
import { serveWorkItems } from './serveWorkItems.js';
import { stateKey } from './WorkItem.js';

let server: NatsServer;
const path = join(mkdtempSync(join(tmpdir(), 'lossflow-nats-run-')), 'log.arrows');
const op = () => crossEntropy({ by: 'epoch', labelSmoothing: 0.1 });
const metric = () => accuracy({ by: 'epoch' });

beforeAll(async () => {
  server = await startNatsServer();
  await writeTrainingLog(path, 'arrow-stream', { rows: 2_000, classes: 10, epochs: 3, batchRows: 300 });
});

afterAll(async () => {
  await server?.stop();
});

describe('distributedChunks with serveWorkItems', () => {
  it('reduces losses and metrics, item by item, to the bits of the local read, and refuses to resume a run with another plan', async () => {
    const local = await lastValueFrom(
      fromFile(path, { threads: 1, inThisThread: true }).pipe(
        lossesAndMetrics([op()], [metric()]),
        share(),
        (c) =>
          forkJoin([
            c.pipe(
              map((p) => p.losses[0]!),
              reduce('mean'),
            ),
            c.pipe(
              map((p) => p.losses[0]!),
              reduceGroups('mean'),
              toArray(),
            ),
            c.pipe(
              map((p) => p.metrics[0]!),
              reduceMetric(),
            ),
          ]),
      ),
    );
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      compute: (item) =>
        lastValueFrom(
          fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
            lossesAndMetrics([op()], [metric()]),
            toArray(),
          ),
        ),
    });
    try {
      const items = await planWorkItems('lib', [path], null, { itemBytes: 40_000 });
      expect(items.length).toBeGreaterThan(3);
      const progress: number[] = [];
      const chunks = distributedChunks(nc, 'lib', {
        items,
        keep: true,
        onProgress: (p) => progress.push(p.itemsDone),
      }).pipe(share());
      const remote = await lastValueFrom(
        forkJoin([
          chunks.pipe(
            map((p) => p.losses[0]!),
            reduce('mean'),
          ),
          chunks.pipe(
            map((p) => p.losses[0]!),
            reduceGroups('mean'),
            toArray(),
          ),
          chunks.pipe(
            map((p) => p.metrics[0]!),
            reduceMetric(),
          ),
        ]),
      );
      expect(remote).toEqual(local);
      expect(progress.at(-1)).toBe(items.length);
      expect(await listRuns(nc)).toEqual(['lib']);

      const other = await planWorkItems('lib', [path], null, { itemBytes: 80_000 });
      const error = await lastValueFrom(distributedChunks(nc, 'lib', { items: other })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DistributedRunError);
      expect((error as DistributedRunError).code).toBe('PLAN_MISMATCH');
      expect(await listRuns(nc)).toEqual(['lib']);
      expect(await removeRun(nc, { distributed: 'lib' })).toBe(true);
      expect(await removeRun(nc, { distributed: 'lib' })).toBe(false);
      expect(await listRuns(nc)).toEqual([]);
    } finally {
      stop.abort();
      await served;
      await nc.close();
    }
  });

  it('merges each item once its worker says it stored the states, without waiting to list the bucket', async () => {
    const local = await lastValueFrom(
      fromFile(path, { threads: 1, inThisThread: true }).pipe(
        lossesAndMetrics([op()], []),
        map((p) => p.losses[0]!),
        reduceGroups('mean'),
        toArray(),
      ),
    );
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      compute: (item) =>
        lastValueFrom(
          fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
            lossesAndMetrics([op()], []),
            toArray(),
          ),
        ),
    });
    try {
      const items = await planWorkItems('told', [path], null, { itemBytes: 40_000 });
      expect(items.length).toBeGreaterThan(3);
      // A look at the bucket far apart: only the workers' word brings the states in this test's time.
      const remote = await lastValueFrom(
        distributedChunks(nc, 'told', { items, pollMs: 600_000 }).pipe(
          map((p) => p.losses[0]!),
          reduceGroups('mean'),
          toArray(),
        ),
      );
      expect(remote).toEqual(local);
    } finally {
      stop.abort();
      await served;
      await nc.close();
    }
  });

  it('fails with FOREIGN_STATE naming the item when a worker of protocol 1 stored its state, and prints nothing', async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      const items = await planWorkItems('old', [path], null, { itemBytes: 40_000 });
      const emitted: unknown[] = [];
      const run = lastValueFrom(distributedChunks(nc, 'old', { items, pollMs: 20 }).pipe(toArray())).then(
        (all) => emitted.push(...all),
        (e: unknown) => e,
      );
      // What a v1 worker stored for item 0: per batch an array of loss chunks.
      const v1 = [
        [{ loss: 'cross-entropy', batch: 0, rows: 300, skipped: 0, state: { sum: 1, weight: 300 } }],
      ];
      for (let tries = 0; ; tries++) {
        try {
          // Not Kvm.open: its reads of a bucket being created crash nats-server 2.9.10.
          const kv = await openBucket(nc, runNames('old').bucket);
          const nonce = await readRunNonce(kv);
          if (nonce === null) throw new Error('the run has no nonce yet');
          await kv.create(stateKey(0, nonce), new TextEncoder().encode(JSON.stringify(v1)));
          break;
        } catch (e) {
          if (tries > 100) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const error = await run;
      expect(emitted).toEqual([]);
      expect(error).toBeInstanceOf(DistributedRunError);
      expect(error).toMatchObject({ code: 'FOREIGN_STATE', item: 0, file: path });
      expect((error as Error).message).toMatch(/another lossflow version/);
    } finally {
      await removeRun(nc, { distributed: 'old' }).catch(() => false);
      await nc.close();
    }
  });

  it('fails at once with RUN_ERROR when a worker reports an error about the run itself, not after the delivery limit; kept, the run is marked failed', async () => {
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    let deliveries = 0;
    try {
      const items = await planWorkItems('unfit', [path], null, { itemBytes: 1_000_000_000 });
      expect(items).toHaveLength(1);
      const worker = serveWorkItems(nc, {
        signal: stop.signal,
        compute: async () => {
          deliveries++;
          throw new Error('no column nosuchcol');
        },
        runError: (error) =>
          error instanceof Error && error.message.startsWith('no column')
            ? { message: `said as the command says it: ${error.message}`, exitCode: 2 }
            : undefined,
      });
      // Five failures allowed, a long ack wait: only the report can end the run soon.
      const error = await lastValueFrom(
        distributedChunks(nc, 'unfit', {
          items,
          keep: true,
          maxDeliver: 5,
          ackWaitMs: 60_000,
          pollMs: 20,
        }).pipe(toArray()),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DistributedRunError);
      expect(error).toMatchObject({ code: 'RUN_ERROR', exitCode: 2, item: 0, file: path });
      expect((error as Error).message).toBe('said as the command says it: no column nosuchcol');
      expect(deliveries).toBe(1);
      stop.abort();
      await worker;
      // Kept, the failed run says so (it is not a run that may still finish).
      const run = (await describeRuns(nc)).find((r) => r.run === 'unfit');
      expect(run).toMatchObject({ kind: 'distributed', failed: true, finished: true });
    } finally {
      stop.abort();
      await removeRun(nc, { distributed: 'unfit' }).catch(() => false);
      await nc.close();
    }
  });
});

describe('item states larger than a message', () => {
  let small: NatsServer;
  const many = join(mkdtempSync(join(tmpdir(), 'lossflow-nats-pieces-')), 'many.arrows');
  beforeAll(async () => {
    small = await startNatsServer({ maxPayload: '32KB' });
    // Hundreds of small batches in one item: their states are far above 32 KB.
    await writeTrainingLog(many, 'arrow-stream', { rows: 12_000, classes: 10, epochs: 3, batchRows: 40 });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('go to the bucket in pieces and merge to the bits of the local read', async () => {
    const pipeline = () => lossesAndMetrics([op()], [metric()]);
    const local = await lastValueFrom(
      fromFile(many, { threads: 1, inThisThread: true }).pipe(
        pipeline(),
        map((p) => p.losses[0]!),
        reduceGroups('mean'),
        toArray(),
      ),
    );
    const nc = await connectNats({ servers: small.url });
    const stop = new AbortController();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      compute: (item) =>
        lastValueFrom(
          fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
            pipeline(),
            toArray(),
          ),
        ),
    });
    try {
      const items = await planWorkItems('pieces', [many], null, { itemBytes: 1 << 30, maxUnits: 1000 });
      expect(items).toHaveLength(1);
      const remote = await lastValueFrom(
        distributedChunks(nc, 'pieces', { items, keep: true }).pipe(
          map((p) => p.losses[0]!),
          reduceGroups('mean'),
          toArray(),
        ),
      );
      expect(remote).toEqual(local);
      const kv = await openBucket(nc, runNames('pieces').bucket);
      const keys: string[] = [];
      for await (const k of await kv.keys()) keys.push(k);
      expect(keys.filter((k) => /^piece\.[0-9a-f]{16}\.0\./.test(k)).length).toBeGreaterThan(2);
      expect(await removeRun(nc, { distributed: 'pieces' })).toBe(true);
    } finally {
      stop.abort();
      await served;
      await nc.close();
    }
  });
});
