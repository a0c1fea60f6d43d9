import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../connect/connectNats.js';
import { type NatsServer, startNatsServer } from '../testing/natsServer.js';
import { readRunPlan, runPlanItems, storeRunPlan } from './runPlan.js';

let server: NatsServer;

beforeAll(async () => {
  // A small largest message: a plan of a few thousand items exceeds it many times over.
  server = await startNatsServer({ maxPayload: '16KB' });
});

afterAll(async () => {
  await server?.stop();
});

/** A plan as a coordinator records it: one entry per item, each naming a file on a shared disk. */
function planOf(count: number): Uint8Array {
  const items = Array.from({ length: count }, (_, i) => [
    '/shared/logs/epoch-0001/rank-0007/predictions.arrows',
    i,
    i + 1,
    null,
    null,
  ]);
  return new TextEncoder().encode(JSON.stringify({ items, spec: { args: ['--loss', 'nll'] } }));
}

describe('storeRunPlan', () => {
  it('stores a plan larger than the server accepts in one message, reads it back whole, and tells the same plan from another', async () => {
    const nc = await connectNats({ servers: server.url });
    const kv = await new Kvm(nc).create('lossflow_run_plan-test');
    try {
      const maxPayload = nc.info!.max_payload;
      const plan = planOf(3_000);
      expect(plan.byteLength).toBeGreaterThan(10 * maxPayload);
      expect(await storeRunPlan(kv, plan, 3_000, maxPayload)).toBe('stored');
      const read = await readRunPlan(kv);
      expect(read?.items).toBe(3_000);
      expect(new TextDecoder().decode(read!.plan)).toBe(new TextDecoder().decode(plan));
      expect(await runPlanItems(kv)).toBe(3_000);
      expect(await storeRunPlan(kv, plan, 3_000, maxPayload)).toBe('same');
      const other = planOf(3_001);
      expect(await storeRunPlan(kv, other, 3_001, maxPayload)).toBe('other');
    } finally {
      await kv.destroy();
      await nc.close();
    }
  });
});
