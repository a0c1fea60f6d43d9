import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { crossEntropy, losses, reduce, reduceGroups } from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import { forkJoin, lastValueFrom, map, share, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../connect/connectNats.js';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { DistributedRunError } from './DistributedRunError.js';
import { distributedChunks } from './distributedChunks.js';
import { planWorkItems } from './planWorkItems.js';
import { listRuns, removeRun } from './runAdmin.js';
import { serveWorkItems } from './serveWorkItems.js';

let server: NatsServer;
const path = join(mkdtempSync(join(tmpdir(), 'lossflow-nats-run-')), 'log.arrows');
const op = () => crossEntropy({ by: 'epoch', labelSmoothing: 0.1 });

beforeAll(async () => {
  server = await startNatsServer();
  await writeTrainingLog(path, 'arrow-stream', { rows: 2_000, classes: 10, epochs: 3, batchRows: 300 });
});

afterAll(async () => {
  await server?.stop();
});

describe('distributedChunks with serveWorkItems', () => {
  it('reduces, item by item, to the bits of the local read, and refuses to resume a run with another plan', async () => {
    const local = await lastValueFrom(
      fromFile(path, { threads: 1, inThisThread: true }).pipe(op(), share(), (c) =>
        forkJoin([c.pipe(reduce('mean')), c.pipe(reduceGroups('mean'), toArray())]),
      ),
    );
    const nc = await connectNats({ servers: server.url });
    const stop = new AbortController();
    const served = serveWorkItems(nc, {
      signal: stop.signal,
      compute: (item) =>
        lastValueFrom(
          fromFile(item.path, { threads: 1, inThisThread: true, part: item.part }).pipe(
            losses(op()),
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
      }).pipe(
        map((c) => c[0]!),
        share(),
      );
      const remote = await lastValueFrom(
        forkJoin([chunks.pipe(reduce('mean')), chunks.pipe(reduceGroups('mean'), toArray())]),
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
      await removeRun(nc, 'lib');
      expect(await listRuns(nc)).toEqual([]);
    } finally {
      stop.abort();
      await served;
      await nc.close();
    }
  });
});
