import { Kvm } from '@nats-io/kv';
import { toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../connect/connectNats.js';
import { removeRun } from '../runs/removeRun.js';
import { runNames } from '../runs/runNames.js';
import { runPlanItems } from '../runs/runPlan.js';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { DistributedRunError } from './DistributedRunError.js';
import { distributedChunks } from './distributedChunks.js';
import type { WorkItem } from './WorkItem.js';

let server: NatsServer;

beforeAll(async () => {
  // A small largest message: a plan of a few thousand items exceeds it many times over.
  server = await startNatsServer({ maxPayload: '16KB' });
});

afterAll(async () => {
  await server?.stop();
});

/** `count` items of a long path, planned but never computed (no worker runs here). */
function itemsOf(
  run: string,
  count: number,
  path = '/shared/logs/epoch-0001/rank-0007/predictions.arrows',
): WorkItem[] {
  return Array.from({ length: count }, (_, index) => ({
    v: 2,
    run,
    index,
    path,
    format: 'arrow-stream' as const,
    file: 0,
    part: { first: index, end: index + 1 },
    rows: 100,
    bytes: 1_000,
    spec: { args: ['--loss', 'cross-entropy'], step: undefined },
  }));
}

describe('distributedChunks with a plan of many items', () => {
  it('records the plan on a small-max_payload server, so a coordinator with other files is refused', async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      const first = distributedChunks(nc, 'many', { items: itemsOf('many', 3_000), keep: true, pollMs: 20 })
        .pipe(toArray())
        .subscribe();
      const kv = await new Kvm(nc).create(runNames('many').bucket);
      for (let look = 0; (await runPlanItems(kv)) === null; look++) {
        expect(look).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      first.unsubscribe();
      expect(await runPlanItems(kv)).toBe(3_000);
      // Another coordinator, other files: refused instead of merging another plan's states.
      const refused = await new Promise<unknown>((resolve) => {
        distributedChunks(nc, 'many', {
          items: itemsOf('many', 3_000, '/shared/logs/epoch-0002/rank-0007/predictions.arrows'),
          keep: true,
          pollMs: 20,
        }).subscribe({ error: resolve, complete: () => resolve(undefined) });
      });
      expect(refused).toBeInstanceOf(DistributedRunError);
      expect((refused as DistributedRunError).code).toBe('PLAN_MISMATCH');
    } finally {
      await removeRun(nc, { distributed: 'many' });
      await nc.close();
    }
  });
});

describe('distributedChunks of a run removed while it waits', () => {
  it('fails at once with RUN_REMOVED instead of waiting forever for its states', async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      const ended = new Promise<unknown>((resolve) => {
        distributedChunks(nc, 'removed', { items: itemsOf('removed', 3), keep: true, pollMs: 20 }).subscribe({
          error: resolve,
          complete: () => resolve('completed'),
        });
      });
      const kv = await new Kvm(nc).create(runNames('removed').bucket);
      for (let look = 0; (await runPlanItems(kv)) === null; look++) {
        expect(look).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      await removeRun(nc, { distributed: 'removed' });
      const failure = await ended;
      expect(failure).toBeInstanceOf(DistributedRunError);
      expect((failure as DistributedRunError).code).toBe('RUN_REMOVED');
      expect((failure as DistributedRunError).message).toMatch(/run removed was removed from the server/);
    } finally {
      await removeRun(nc, { distributed: 'removed' });
      await nc.close();
    }
  });
});
