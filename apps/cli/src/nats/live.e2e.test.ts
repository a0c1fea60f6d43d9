import { mkdtemp, readFile as readBytes, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from '@lossflow/arrow/node';
import { liveStreamName, publishBatches } from '@lossflow/nats';
import { connectNats } from '@lossflow/nats/node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from '../../../../packages/nats/src/testing/natsServer.js';
import { startCli } from '../testing/cliProcess.js';
import { type CliRun, runCli } from '../testing/runCli.js';

const LOSSES = ['--loss', 'cross-entropy', '--label-smoothing', '0.1', '--loss', 'nll', '--reduction', 'sum'];

describe('lossflow publish → lossflow eval --nats --subject', () => {
  let server: NatsServer;
  let dir: string;
  let log: string;
  beforeAll(async () => {
    server = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'lossflow-live-'));
    log = join(dir, 'log.arrows');
    const made = await runCli([
      'generate',
      '--out',
      log,
      '--rows',
      '4000',
      '--epochs',
      '3',
      '--classes',
      '20',
      '--batch-rows',
      '1000',
      '-q',
    ]);
    expect(made.code).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function streamExists(subject: string, run: string): Promise<boolean> {
    const nc = await connectNats({ servers: server.url });
    try {
      await (await jetstreamManager(nc)).streams.info(liveStreamName(subject, run));
      return true;
    } catch {
      return false;
    } finally {
      await nc.close();
    }
  }

  it('passes --max-age and --max-bytes to the run stream it creates, and refuses a bad size', async () => {
    const published = await runCli([
      'publish',
      log,
      '--nats',
      server.url,
      '--subject',
      'limits.preds',
      '--run',
      'r1',
      '--max-age',
      '2h',
      '--max-bytes',
      '64MB',
      '-q',
    ]);
    expect(published.code).toBe(0);
    const nc = await connectNats({ servers: server.url });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(liveStreamName('limits.preds', 'r1'));
      expect(info.config.max_age).toBe(2 * 3600 * 1e9);
      expect(info.config.max_bytes).toBe(64e6);
    } finally {
      await nc.close();
    }
    const bad = await runCli([
      'publish',
      log,
      '--nats',
      server.url,
      '--subject',
      'limits.preds',
      '--max-bytes',
      'lots',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-bytes takes a size/);
  });

  it('prints the same JSON as evaluating the published file, then removes the finished run', async () => {
    const published = await runCli([
      'publish',
      log,
      '--nats',
      server.url,
      '--subject',
      'job.preds',
      '--run',
      'r1',
    ]);
    expect(published).toMatchObject({ code: 0, stdout: 'r1\n' });
    expect(published.stderr).toContain('Published run r1 on job.preds.r1: 12,000 rows');

    const local = await runCli(['eval', log, ...LOSSES, '--by', 'epoch', '--format', 'json']);
    expect(local.code).toBe(0);
    const live = await runCli(
      ['eval', '--subject', 'job.preds', '--run', 'r1', ...LOSSES, '--by', 'epoch', '--format', 'json'],
      { NATS_URL: server.url },
    );
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    // Everything but `files`, which names the input read: the run on NATS and its bytes there.
    const { files, ...read } = JSON.parse(live.stdout) as Record<string, unknown>;
    const { files: localFiles, ...fromFile } = JSON.parse(local.stdout) as Record<string, unknown>;
    expect(read).toEqual(fromFile);
    expect(localFiles).toEqual([{ path: log, bytes: expect.any(Number) }]);
    expect(files).toEqual([{ path: 'nats:job.preds.r1', bytes: expect.any(Number) }]);
    expect(live.stdout.replace(/"files": \[[^\]]*\]/, '')).toBe(
      local.stdout.replace(/"files": \[[^\]]*\]/, ''),
    );
    expect(await streamExists('job.preds', 'r1')).toBe(false);

    const again = await runCli(['eval', '--nats', server.url, '--subject', 'job.preds', '--run', 'r1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("there is no run 'r1' on 'job.preds'");
  });

  it('keeps a run read with --keep, and reads the newest run when --run is left out', async () => {
    expect(
      (await runCli(['publish', log, '--nats', server.url, '--subject', 'job.keep', '--run', 'old', '-q']))
        .code,
    ).toBe(0);
    expect(
      (await runCli(['publish', log, '--nats', server.url, '--subject', 'job.keep', '--run', 'new', '-q']))
        .code,
    ).toBe(0);
    const live = await runCli([
      'eval',
      '--nats',
      server.url,
      '--subject',
      'job.keep',
      '--keep',
      '--format',
      'csv',
    ]);
    expect(live.code).toBe(0);
    expect(live.stderr).toBe('lossflow eval: reading run new on job.keep.new\n');
    expect(live.stdout).toBe((await runCli(['eval', log, '--format', 'csv'])).stdout);
    expect(await streamExists('job.keep', 'new')).toBe(true);
    expect(await streamExists('job.keep', 'old')).toBe(true);
  });

  it('--follow prints running values of a run still being published, then the final result', async () => {
    const nc = await connectNats({ servers: server.url });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let firstStored!: () => void;
    const stored = new Promise<void>((resolve) => {
      firstStored = resolve;
    });
    async function* paused() {
      let i = 0;
      for await (const batch of readFile(log)) {
        if (i === 1) {
          firstStored();
          await gate;
        }
        i += 1;
        yield batch;
      }
    }
    const publishing = publishBatches(nc, paused(), { subject: 'job.follow', run: 'r1' });
    await stored;
    const unfinished = await runCli(['eval', '--nats', server.url, '--subject', 'job.follow']);
    expect(unfinished.code).toBe(1);
    expect(unfinished.stderr).toContain('[INCOMPLETE_RUN]');
    expect(unfinished.stderr).toContain('follow it (--follow) to wait for the marker');
    expect(unfinished.stderr).not.toContain('wait: true');

    const following = runCli([
      'eval',
      '--nats',
      server.url,
      '--subject',
      'job.follow',
      '--run',
      'r1',
      '--follow',
      '--by',
      'epoch',
      '--every',
      '1',
      '--format',
      'ndjson',
    ]);
    // Once the follower reads (its consumer exists), the rest of the run arrives.
    const jsm = await jetstreamManager(nc);
    let ended: CliRun | undefined;
    void following.then((r) => {
      ended = r;
    });
    while ((await jsm.streams.info(liveStreamName('job.follow', 'r1'))).state.consumer_count === 0) {
      expect(
        ended,
        `the follower ended (exit ${ended?.code}) before it read: ${ended?.stderr}`,
      ).toBeUndefined();
      await new Promise((r) => setTimeout(r, 20));
    }
    open();
    const [live] = await Promise.all([following, publishing]);
    await nc.close();
    const local = await runCli(['eval', log, '--by', 'epoch', '--every', '1', '--format', 'ndjson']);
    expect(live.stderr).toBe('');
    expect(live).toMatchObject({ code: 0, stdout: local.stdout });
  });

  it('--follow stops at Ctrl-C on a run without its end marker: what was read, marked incomplete (exit 130)', async () => {
    const nc = await connectNats({ servers: server.url });
    // The publisher "dies" after two batches: the run never gets its end-of-run marker.
    let stop!: () => void;
    const dead = new Promise<void>((resolve) => {
      stop = resolve;
    });
    async function* twoThenStall() {
      let i = 0;
      for await (const batch of readFile(log)) {
        if (i === 2) await dead;
        if (i === 2) return;
        i += 1;
        yield batch;
      }
    }
    const publishing = publishBatches(nc, twoThenStall(), { subject: 'job.dead', run: 'r1' });
    const follower = startCli([
      'eval',
      '--nats',
      server.url,
      '--subject',
      'job.dead',
      '--run',
      'r1',
      '--follow',
      '--every',
      '1',
      '--format',
      'ndjson',
    ]);
    type Line = { kind: string; key: unknown; rows: number; batches: number };
    const lines = (): Line[] =>
      follower
        .stdout()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Line);
    try {
      // Once the follower has computed both batches (its running total after batch 2 is out),
      // Ctrl-C. Waiting only until the server had handed it the second batch left a window where
      // the batch was delivered but not yet computed, and Ctrl-C then rightly reported 1,000 rows.
      let ended = false;
      void follower.exited().then(() => {
        ended = true;
      });
      while (!lines().some((l) => l.kind === 'running' && l.key === null && l.batches === 2)) {
        expect(ended, follower.stderr()).toBe(false);
        await new Promise((r) => setTimeout(r, 20));
      }
      follower.kill('SIGINT');
      expect(await follower.exited()).toBe(130);
      const total = lines().find((l) => l.kind === 'partial-total');
      expect(total).toMatchObject({ rows: 2000 });
      expect(lines().some((l) => l.kind === 'total')).toBe(false);
      expect(follower.stderr()).toContain('INCOMPLETE');
      // Not removed: the run was not read to its end.
      expect(await streamExists('job.dead', 'r1')).toBe(true);
    } finally {
      follower.kill('SIGKILL');
      stop();
      await publishing.catch(() => undefined);
      await nc.close();
    }
  });

  it('--follow goes on across a NATS server restart (file storage) and prints the exact result', async () => {
    const nc = await connectNats({ servers: server.url });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let firstStored!: () => void;
    const stored = new Promise<void>((resolve) => {
      firstStored = resolve;
    });
    async function* paused() {
      let i = 0;
      for await (const batch of readFile(log)) {
        if (i === 2) {
          firstStored();
          await gate;
        }
        i += 1;
        yield batch;
      }
    }
    const publishing = publishBatches(nc, paused(), { subject: 'job.restart', run: 'r1' });
    await stored;
    const following = runCli([
      'eval',
      '--nats',
      server.url,
      '--subject',
      'job.restart',
      '--run',
      'r1',
      '--follow',
      '--by',
      'epoch',
      '--every',
      '1',
      '--format',
      'ndjson',
    ]);
    // The follower has read what is stored so far (its consumer has nothing pending) when the
    // server restarts; the rest of the run is published after it is back.
    const jsm = await jetstreamManager(nc);
    const stream = liveStreamName('job.restart', 'r1');
    for (;;) {
      const consumers = [];
      for await (const c of jsm.consumers.list(stream)) consumers.push(c);
      if (consumers.length > 0 && consumers.every((c) => c.num_pending === 0 && c.delivered.stream_seq >= 2))
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await server.restart();
    open();
    const [live] = await Promise.all([following, publishing]);
    await nc.close();
    const local = await runCli(['eval', log, '--by', 'epoch', '--every', '1', '--format', 'ndjson']);
    expect(live.stderr).toBe('');
    expect(live).toMatchObject({ code: 0, stdout: local.stdout });
  });

  it('exits 1 naming a damaged run (a lost batch message) and keeps it', async () => {
    expect(
      (await runCli(['publish', log, '--nats', server.url, '--subject', 'job.gap', '--run', 'r1', '-q']))
        .code,
    ).toBe(0);
    const nc = await connectNats({ servers: server.url });
    await (await jetstreamManager(nc)).streams.deleteMessage(liveStreamName('job.gap', 'r1'), 3);
    await nc.close();
    const live = await runCli(['eval', '--nats', server.url, '--subject', 'job.gap', '--format', 'json']);
    expect(live.code).toBe(1);
    expect(live.stdout).toBe('');
    expect(live.stderr).toContain(
      "lossflow eval: batch message 2 is missing (the next one is 3) (subject 'job.gap.r1', stream sequence 4, batch message 2) [GAP].",
    );
    expect(live.stderr).toContain('No result was written.');
    expect(await streamExists('job.gap', 'r1')).toBe(true);
  });

  it('exits 1 with RUN_EXISTS when a run id is published again, and prints no run id', async () => {
    const args = ['publish', log, '--nats', server.url, '--subject', 'job.twice', '--run', 'r1'];
    expect((await runCli([...args, '-q'])).code).toBe(0);
    const again = await runCli(args);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain("lossflow publish: run 'r1' of 'job.twice' was already published");
    expect(again.stderr).toContain('[RUN_EXISTS]');
  });

  it('publishes a stream without its end-of-stream marker with --allow-missing-end-of-stream, as the hint says', async () => {
    // The last 8 bytes of an Arrow IPC stream are its end-of-stream marker.
    const bytes = await readBytes(log);
    const cut = join(dir, 'no-eos.arrows');
    await writeFile(cut, bytes.subarray(0, bytes.length - 8));
    const args = ['publish', cut, '--nats', server.url, '--subject', 'job.noeos', '-q'];
    const refused = await runCli([...args, '--run', 'r1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--allow-missing-end-of-stream');
    expect((await runCli([...args, '--run', 'r2', '--allow-missing-end-of-stream'])).code).toBe(0);
    const live = await runCli([
      'eval',
      '--nats',
      server.url,
      '--subject',
      'job.noeos',
      '--run',
      'r2',
      '--format',
      'json',
    ]);
    const local = await runCli(['eval', log, '--format', 'json']);
    expect(live.code).toBe(0);
    const results = (stdout: string): unknown => (JSON.parse(stdout) as { results: unknown }).results;
    expect(results(live.stdout)).toEqual(results(local.stdout));
  });

  it('computes --metric as for the published file (a live run is read in this thread)', async () => {
    expect(
      (await runCli(['publish', log, '--nats', server.url, '--subject', 'job.metric', '--run', 'm1', '-q']))
        .code,
    ).toBe(0);
    const args = ['--metric', 'accuracy', '--by', 'epoch', '--format', 'json'];
    const local = await runCli(['eval', log, ...args]);
    const live = await runCli([
      'eval',
      '--nats',
      server.url,
      '--subject',
      'job.metric',
      '--run',
      'm1',
      ...args,
    ]);
    expect(live.code).toBe(0);
    const metrics = (stdout: string): unknown => (JSON.parse(stdout) as { metrics: unknown }).metrics;
    expect(metrics(live.stdout)).toEqual(metrics(local.stdout));
    expect(metrics(live.stdout)).toHaveLength(1);
  });

  it('refuses --by file and several keys with a live --subject (exit 2)', async () => {
    for (const by of ['file', 'epoch,step']) {
      const run = await runCli(['eval', '--nats', server.url, '--subject', 'job.x', '--by', by]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--by ${by}: a live run (--subject) is grouped by one column`);
    }
  });

  it('refuses files and file-only flags with a live --subject (exit 2)', async () => {
    const withFile = await runCli(['eval', log, '--nats', server.url, '--subject', 'job.x']);
    expect(withFile.code).toBe(2);
    expect(withFile.stderr).toContain('a live run is read from NATS, not from files');
    const threads = await runCli(['eval', '--nats', server.url, '--subject', 'job.x', '--threads', '2']);
    expect(threads.code).toBe(2);
    const badSubject = await runCli(['publish', log, '--nats', server.url, '--subject', 'job.*']);
    expect(badSubject.code).toBe(2);
  });
});

describe('NATS connection flags', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ token: 's3cret-token' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('exits 1 with a clear message for a missing or wrong token, and connects with the right one', async () => {
    const log = join(fileURLToPathOf('../../../../fixtures/'), 'epoch-log.arrows');
    for (const token of [[], ['--nats-token', 'wrong']]) {
      const run = await runCli(['publish', log, '--nats', server.url, '--subject', 'job.auth', ...token]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `lossflow publish: ${server.url} refused the connection: authorization violation. Pass the credentials the server expects: --nats-token, --nats-user and --nats-pass, or --nats-creds FILE (or NATS_CREDS).\n`,
      );
    }
    const ok = await runCli([
      'publish',
      log,
      '--nats',
      server.url,
      '--subject',
      'job.auth',
      '--run',
      'r1',
      '--nats-token',
      's3cret-token',
      '-q',
    ]);
    expect(ok).toMatchObject({ code: 0, stdout: 'r1\n' });
    const read = await runCli([
      'eval',
      '--nats',
      server.url,
      '--nats-token',
      'wrong',
      '--subject',
      'job.auth',
    ]);
    expect(read.code).toBe(1);
    expect(read.stderr).toContain('refused the connection: authorization violation');
  });

  it('exits 1 with a clear message when no server listens there', async () => {
    const run = await runCli(['eval', '--subject', 'job.x'], { NATS_URL: 'nats://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'lossflow eval: no NATS server at nats://127.0.0.1:1 — start one with JetStream',
    );
    expect(run.stderr).toContain('or pass --nats URL');
  });
});

function fileURLToPathOf(relative: string): string {
  return new URL(relative, import.meta.url).pathname;
}
