import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
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

/** Starts a coordinator of `count` never-computed items and resolves with how it ended. */
function coordinatorOf(nc: NatsConnection, run: string, count: number): Promise<unknown> {
  return new Promise<unknown>((resolve) => {
    distributedChunks(nc, run, { items: itemsOf(run, count), keep: true, pollMs: 20 }).subscribe({
      error: resolve,
      complete: () => resolve('completed'),
    });
  });
}

function expectRemoved(failure: unknown, run: string): void {
  expect(failure).toBeInstanceOf(DistributedRunError);
  expect((failure as DistributedRunError).code).toBe('RUN_REMOVED');
  expect((failure as DistributedRunError).message).toMatch(
    new RegExp(`run ${run} was removed from the server`),
  );
}

// Each fails at once; the limits below only stop the old behaviour (retrying for minutes).
describe('distributedChunks of a run removed', () => {
  it('while it waits for states: fails at once with RUN_REMOVED', { timeout: 60_000 }, async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      const ended = coordinatorOf(nc, 'removed', 3);
      const jsm = await jetstreamManager(nc);
      // Every item published: the coordinator is in its merge loop.
      for (let look = 0; ; look++) {
        const messages = await jsm.streams
          .info(runNames('removed').stream)
          .then((i) => i.state.messages)
          .catch(() => 0);
        if (messages === 3) break;
        expect(look).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      await removeRun(nc, { distributed: 'removed' });
      expectRemoved(await ended, 'removed');
    } finally {
      await removeRun(nc, { distributed: 'removed' });
      await nc.close();
    }
  });

  it('while it publishes its items: fails at once with RUN_REMOVED', { timeout: 60_000 }, async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      // Thousands of items, published one by one after the plan: the run goes mid-way.
      const ended = coordinatorOf(nc, 'removing', 3_000);
      const kv = await new Kvm(nc).create(runNames('removing').bucket);
      for (let look = 0; (await runPlanItems(kv)) === null; look++) {
        expect(look).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 5));
      }
      await removeRun(nc, { distributed: 'removing' });
      expectRemoved(await ended, 'removing');
    } finally {
      await removeRun(nc, { distributed: 'removing' });
      await nc.close();
    }
  });
});
