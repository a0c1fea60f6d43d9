/**
 * `lossflow runs` and `lossflow runs rm` against a real nats-server (this file's own, on
 * 127.0.0.1), with runs of each kind made through the library: a distributed run planned and left
 * waiting for workers, a live run published to its end, and one still open.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingLogBatches } from '@lossflow/arrow';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { connectNats, distributedChunks, planWorkItems, publishBatches } from '@lossflow/nats/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from '../../../../packages/nats/src/testing/natsServer.js';
import { runCli } from '../testing/runCli.js';

let server: NatsServer;
let logPath: string;

interface ListedRun {
  readonly kind: string;
  readonly run: string;
  readonly name: string;
  readonly subject?: string;
  readonly items?: number | null;
  readonly itemsDone?: number;
  readonly messages?: number;
  readonly finished: boolean;
  readonly ageMs: number;
}

async function listed(): Promise<ListedRun[]> {
  const out = await runCli(['runs', '--nats', server.url, '--format', 'json']);
  expect(out.code).toBe(0);
  return (JSON.parse(out.stdout) as { runs: ListedRun[] }).runs;
}

/** A distributed run `run` planned and published by a coordinator that then went away. */
async function leftDistributedRun(nc: Awaited<ReturnType<typeof connectNats>>, run: string, path: string) {
  const items = await planWorkItems(run, [path], null, { itemBytes: 10_000 });
  await new Promise<void>((resolve, reject) => {
    const coordinator = distributedChunks(nc, run, {
      items,
      keep: true,
      pollMs: 20,
      onProgress: () => {
        queueMicrotask(() => coordinator.unsubscribe());
        resolve();
      },
    }).subscribe({ error: reject });
  });
}

beforeAll(async () => {
  server = await startNatsServer();
  const nc = await connectNats({ servers: server.url });
  try {
    const path = join(mkdtempSync(join(tmpdir(), 'lossflow-runs-')), 'log.arrows');
    logPath = path;
    await writeTrainingLog(path, 'arrow-stream', { rows: 1_000, classes: 4, epochs: 1, batchRows: 250 });
    // A coordinator plans and publishes, then goes away: no worker ever computes the items.
    await leftDistributedRun(nc, 'nightly-7', path);
    await publishBatches(nc, trainingLogBatches({ rows: 500, classes: 4, epochs: 1, batchRows: 250 }), {
      subject: 'train.preds',
      run: 'done-1',
    });
    // A publisher still running after its first message (its source waits): no end-of-run marker.
    // (A publisher that fails or is stopped closes its run with a failure marker instead.)
    let asked!: () => void;
    const stored = new Promise<void>((resolve) => {
      asked = resolve;
    });
    async function* stalled() {
      const [first] = trainingLogBatches({ rows: 250, classes: 4, epochs: 1, batchRows: 250 });
      yield first!;
      asked(); // The first message is stored before the next batch is asked for.
      await new Promise(() => undefined);
    }
    void publishBatches(nc, stalled(), { subject: 'train.preds', run: 'open-1' }).catch(() => undefined);
    await stored;
  } finally {
    await nc.close();
  }
});

afterAll(async () => {
  await server?.stop();
});

describe('lossflow runs', () => {
  it('lists distributed and live runs with their kind, progress and whether they are finished, as a table and as JSON', async () => {
    const runs = await listed();
    expect(runs.map((r) => `${r.kind} ${r.run} ${r.finished}`)).toEqual([
      'distributed nightly-7 false',
      'live done-1 true',
      'live open-1 false',
    ]);
    expect(runs[0]!.items).toBeGreaterThan(1);
    expect(runs[0]!.itemsDone).toBe(0);
    expect(runs[1]).toMatchObject({ subject: 'train.preds', messages: 3 });
    expect(runs[2]).toMatchObject({ subject: 'train.preds' });
    expect(runs[2]!.messages).toBeGreaterThanOrEqual(1);
    for (const r of runs) expect(r.ageMs).toBeGreaterThanOrEqual(0);

    const table = await runCli(['runs', '--nats', server.url]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^RUN +KIND +AGE +DONE +FINISHED\n/);
    expect(table.stdout).toMatch(new RegExp(`nightly-7 +distributed +\\d+s +0/${runs[0]!.items} items +no`));
    expect(table.stdout).toMatch(/done-1 +live \(train\.preds\) +\d+s +3 messages, [\d.]+ kB +yes/);
    expect(table.stdout).toMatch(/open-1 +live \(train\.preds\) +\d+s +[\d,]+ messages?, [\d.]+ kB +no/);
  });

  it('refuses what it cannot do as bad usage, saying what to do', async () => {
    const bare = await runCli(['runs', 'rm', '--nats', server.url]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('runs rm needs the runs to remove');
    const misplaced = await runCli(['runs', '--all-finished', '--nats', server.url]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('use it with lossflow runs rm');
    const badAge = await runCli(['runs', 'rm', '--older-than', 'soon', '--nats', server.url]);
    expect(badAge.code).toBe(2);
    expect(badAge.stderr).toContain('--older-than takes a duration');
  });

  it('rm removes finished runs and runs by ID; an ID that names no run removes none of them (exit 2)', async () => {
    const young = await runCli(['runs', 'rm', '--older-than', '1h', '--nats', server.url]);
    expect(young.code).toBe(0);
    expect(young.stdout).toBe('');
    expect(young.stderr).toContain('no run to remove');
    expect(await listed()).toHaveLength(3);

    const finished = await runCli(['runs', 'rm', '--all-finished', '--nats', server.url]);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toBe('removed live run done-1 on train.preds\n');
    expect((await listed()).map((r) => r.run)).toEqual(['nightly-7', 'open-1']);

    // Every ID is checked first: the unknown one (last, or first) removes none of the others.
    for (const ids of [
      ['nightly-7', 'train.preds.open-1', 'nope'],
      ['nope', 'nightly-7'],
    ]) {
      for (const format of ['table', 'json']) {
        const refused = await runCli(['runs', 'rm', ...ids, '--nats', server.url, '--format', format]);
        expect(refused.code, ids.join(' ')).toBe(2);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toContain("no run 'nope' on");
        expect(refused.stderr).toContain('Nothing was removed.');
        expect((await listed()).map((r) => r.run)).toEqual(['nightly-7', 'open-1']);
      }
    }

    const named = await runCli(['runs', 'rm', 'nightly-7', 'train.preds.open-1', '--nats', server.url]);
    expect(named.code).toBe(0);
    expect(named.stdout).toBe('removed distributed run nightly-7\nremoved live run open-1 on train.preds\n');
    expect(await listed()).toEqual([]);
    const empty = await runCli(['runs', '--nats', server.url]);
    expect(empty.stdout).toBe(`No runs on ${server.url}.\n`);
  });

  it('rm refuses (exit 2, removing nothing) an id that several runs share, listing their full names; a full name removes just its run', async () => {
    const nc = await connectNats({ servers: server.url });
    try {
      for (const subject of ['a.preds', 'b.preds']) {
        await publishBatches(nc, trainingLogBatches({ rows: 250, classes: 4, epochs: 1, batchRows: 250 }), {
          subject,
          run: 'job-7',
        });
      }
      await publishBatches(nc, trainingLogBatches({ rows: 250, classes: 4, epochs: 1, batchRows: 250 }), {
        subject: 'a.preds',
        run: 'twin',
      });
      await leftDistributedRun(nc, 'twin', logPath);
      await publishBatches(nc, trainingLogBatches({ rows: 250, classes: 4, epochs: 1, batchRows: 250 }), {
        subject: 'c.preds',
        run: 'alone',
      });
    } finally {
      await nc.close();
    }
    const all = ['a.preds.job-7', 'b.preds.job-7', 'a.preds.twin', 'distributed:twin', 'c.preds.alone'];
    expect((await listed()).map((r) => r.name)).toEqual(all);
    const table = await runCli(['runs', '--nats', server.url]);
    expect(table.stdout).toMatch(/\na\.preds\.job-7 +live \(a\.preds\)/);
    expect(table.stdout).toMatch(/\ndistributed:twin +distributed/);
    expect(table.stdout).toMatch(/\nalone +live \(c\.preds\)/);

    const shared = await runCli(['runs', 'rm', 'job-7', '--nats', server.url]);
    expect(shared.code).toBe(2);
    expect(shared.stdout).toBe('');
    expect(shared.stderr).toContain("'job-7' names 2 runs: a.preds.job-7 (live), b.preds.job-7 (live)");
    expect(shared.stderr).toContain('Nothing was removed');
    const twin = await runCli(['runs', 'rm', 'alone', 'twin', '--nats', server.url]);
    expect(twin.code).toBe(2);
    expect(twin.stderr).toContain("'twin' names 2 runs: a.preds.twin (live), distributed:twin (distributed)");
    // With --format json: nothing on stdout either (no command prints a JSON error), the same message.
    const twinJson = await runCli([
      'runs',
      'rm',
      'alone',
      'twin',
      'nope',
      '--nats',
      server.url,
      '--format',
      'json',
    ]);
    expect(twinJson.code).toBe(2);
    expect(twinJson.stdout).toBe('');
    expect(twinJson.stderr).toContain(
      "'twin' names 2 runs: a.preds.twin (live), distributed:twin (distributed)",
    );
    expect(twinJson.stderr).toContain("no run 'nope' on");
    expect((await listed()).map((r) => r.name)).toEqual(all);

    const one = await runCli(['runs', 'rm', 'b.preds.job-7', 'distributed:twin', '--nats', server.url]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('removed live run job-7 on b.preds\nremoved distributed run twin\n');
    expect((await listed()).map((r) => r.name)).toEqual(['a.preds.job-7', 'a.preds.twin', 'c.preds.alone']);
    // Unambiguous now, a bare id removes its one run.
    const bare = await runCli(['runs', 'rm', 'job-7', 'twin', 'alone', '--nats', server.url]);
    expect(bare.code).toBe(0);
    expect(await listed()).toEqual([]);
  });
});
