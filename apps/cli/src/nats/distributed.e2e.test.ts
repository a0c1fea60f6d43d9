/**
 * Distributed evaluation end to end against a real nats-server (this file's own, on 127.0.0.1):
 * `lossflow eval … --nats URL` with `lossflow worker` processes prints exactly what local
 * `lossflow eval` prints, and stays exact under faults: a worker SIGKILLed mid-item, a coordinator
 * killed and resumed with `--run`, a poison item, the server restarted mid-run, no worker at all.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIpcStream, writeTrainingLog } from '@lossflow/arrow/node';
import { runNames } from '@lossflow/nats';
import { connectNats, describeRuns, listRuns, removeRun } from '@lossflow/nats/node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Field, FixedSizeList, Float32, Int64, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from '../../../../packages/nats/src/testing/natsServer.js';
import { type CliProcess, startCli } from '../testing/cliProcess.js';
import { runCli } from '../testing/runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'lossflow-distributed-'));
const stream = join(dir, 'log.arrows');
const file = join(dir, 'log.arrow');
const parquet = join(dir, 'log.parquet');
const poison = join(dir, 'poison.arrows');
let server: NatsServer;
const started: CliProcess[] = [];

/** Short waits and small items, so a few small files make many items and faults heal quickly. */
const TUNING = {
  LOSSFLOW_NATS_ACK_WAIT_MS: '2000',
  LOSSFLOW_NATS_MAX_DELIVER: '3',
  LOSSFLOW_NATS_ITEM_BYTES: '60000',
};

function worker(env: Record<string, string> = {}): CliProcess {
  const p = startCli(['worker', '--nats', server.url, '--threads', '2'], env);
  started.push(p);
  return p;
}

function coordinator(args: string[]): CliProcess {
  const p = startCli(['eval', ...args, '--nats', server.url], TUNING);
  started.push(p);
  return p;
}

/** The runs on the server (their streams). */
async function runsOnServer(): Promise<string[]> {
  const nc = await connectNats({ servers: server.url });
  try {
    return await listRuns(nc);
  } finally {
    await nc.close();
  }
}

/** Resolves once the run `run` is on the server with its plan stored (its bucket made). */
async function planStored(run: string): Promise<void> {
  const nc = await connectNats({ servers: server.url });
  try {
    for (;;) {
      const found = (await describeRuns(nc)).find((r) => r.run === run);
      if (found?.kind === 'distributed' && found.items !== null) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  server = await startNatsServer();
  const log = { rows: 3_000, classes: 10, epochs: 3, batchRows: 500 };
  await writeTrainingLog(stream, 'arrow-stream', log);
  await writeTrainingLog(file, 'arrow-file', { ...log, seed: 2 });
  await writeTrainingLog(parquet, 'parquet', { ...log, seed: 3 });
  await writePoison();
});

afterEach(async (context) => {
  // A failed test shows what its processes said.
  if (context.task.result?.state === 'fail') {
    for (const p of started)
      console.error(`--- lossflow ${p.child.spawnargs.slice(2).join(' ')}\n${p.stderr()}`);
  }
  for (const p of started.splice(0)) {
    p.kill('SIGKILL');
    await p.exited();
  }
  server.assertRunning();
});

afterAll(async () => {
  await server?.stop();
});

/**
 * Five batches of 400 rows whose targets are all `b` in batch `b`; batch 3's target bytes are then
 * overwritten with 0xFF (target -1: out of range), a damaged byte range that only computing finds.
 */
async function writePoison(): Promise<void> {
  const logits = new FixedSizeList(5, new Field('item', new Float32(), false));
  const fields = [new Field('logits', logits, false), new Field('target', new Int64(), false)];
  const schema = new Schema(fields);
  const out = writeIpcStream(poison, schema);
  const rows = 400;
  for (let b = 0; b < 5; b++) {
    const child = makeData({
      type: new Float32(),
      length: rows * 5,
      data: new Float32Array(rows * 5).fill(0.25),
    });
    const target = makeData({
      type: new Int64(),
      length: rows,
      data: new BigInt64Array(rows).fill(BigInt(b)),
    });
    await out.write(
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(fields),
          length: rows,
          children: [makeData({ type: logits, length: rows, child }), target],
        }),
      ),
    );
  }
  await out.close();
  const bytes = readFileSync(poison);
  const pattern = Buffer.from(new BigInt64Array(rows).fill(3n).buffer);
  const at = bytes.indexOf(pattern);
  expect(at).toBeGreaterThan(0);
  bytes.fill(0xff, at, at + pattern.length);
  writeFileSync(poison, bytes);
}

describe('lossflow eval --nats', () => {
  const cases: [string, string[]][] = [
    [
      'several losses by epoch, JSON',
      [
        '--loss',
        'cross-entropy',
        '--loss',
        'cross-entropy',
        '--label-smoothing',
        '0.1',
        '--loss',
        'nll',
        '--reduction',
        'sum',
        '--loss',
        'multi-margin',
        '--by',
        'epoch',
        '--format',
        'json',
      ],
    ],
    ['cross-entropy by epoch, CSV', ['--by', 'epoch', '--format', 'csv']],
  ];
  const metrics = [
    '--metric',
    'accuracy',
    '--metric',
    'top-k-accuracy',
    '--k',
    '2',
    '--metric',
    'f1',
    '--average',
    'none',
    '--metric',
    'confusion-matrix',
  ];
  cases.push(
    [
      'losses and metrics in one pass, by epoch, JSON',
      ['--loss', 'cross-entropy', ...metrics, '--by', 'epoch', '--format', 'json'],
    ],
    ['metrics only, CSV', ['--metric', 'accuracy', '--metric', 'brier-score', '--format', 'csv']],
    ['--by file with a metric, JSON', ['--by', 'file', '--metric', 'accuracy', '--format', 'json']],
    ['several keys (--by file,epoch), CSV', ['--loss', 'nll', '--by', 'file,epoch', '--format', 'csv']],
    [
      '--limit inside an item of the second file, by epoch, JSON',
      ['--limit', '12345', '--by', 'epoch', '--format', 'json'],
    ],
    ['--limit inside the first item, CSV', ['--limit', '777', '--format', 'csv']],
    ['--limit with --by file, JSON', ['--limit', '10001', '--by', 'file', '--format', 'json']],
  );
  for (const [name, args] of cases) {
    it(`prints exactly what local eval prints: ${name}`, async () => {
      const files = [stream, file, parquet];
      const local = await runCli(['eval', ...files, ...args]);
      expect(local.code).toBe(0);
      worker();
      worker();
      const run = coordinator([...files, ...args]);
      expect(await run.exited()).toBe(0);
      expect(run.stdout()).toBe(local.stdout);
      // A run of one item says so in words ("1 item", not "1 items").
      if (name === '--limit inside the first item, CSV') expect(run.stderr()).toContain(': 1 item on ');
      // A finished run removes its stream and bucket.
      expect(await runsOnServer()).toEqual([]);
    });
  }

  it('prints exactly what local eval prints: Hive partition keys, alone and with a column', async () => {
    const hive = join(dir, 'runs');
    for (const [run, from] of [
      ['a', stream],
      ['b', file],
      ['c', parquet],
    ] as const) {
      mkdirSync(join(hive, `run=${run}`), { recursive: true });
      copyFileSync(from, join(hive, `run=${run}`, `part${from.slice(from.lastIndexOf('.'))}`));
    }
    worker();
    worker();
    for (const by of ['run', 'run,epoch']) {
      const args = [hive, '--by', by, '--metric', 'accuracy', '--format', 'json'];
      const local = await runCli(['eval', ...args]);
      expect(local.code).toBe(0);
      expect(local.stdout).toMatch(/"(key|run)": "b"/);
      const run = coordinator(args);
      expect(await run.exited()).toBe(0);
      expect(run.stdout()).toBe(local.stdout);
    }
  });

  it.each([
    ['streams', 'arrow-stream', 'log.arrows'],
    ['files', 'arrow-file', 'log.arrow'],
    ['Parquet files', 'parquet', 'log.parquet'],
  ] as const)(
    'cuts keyed runs of %s into batch or row group ranges (a file and a group over several items), exactly as local eval',
    async (kind, format, name) => {
      const streams = join(dir, kind);
      for (const [run, seed] of [
        ['a', 5],
        ['b', 6],
      ] as const) {
        mkdirSync(join(streams, `run=${run}`), { recursive: true });
        // 7 epochs of 900 rows in batches (row groups) of 130: 49 a file, an epoch's span items.
        await writeTrainingLog(join(streams, `run=${run}`, name), format, {
          rows: 900,
          classes: 10,
          epochs: 7,
          batchRows: 130,
          seed,
        });
      }
      worker();
      worker();
      const charts = (html: string): string[] =>
        html.match(/<script type="application\/json"[^>]*>[^<]*<\/script>/g) ?? [];
      const cases: string[][] = [
        ['--by', 'file,epoch', '--metric', 'accuracy', '--format', 'json'],
        ['--by', 'file', '--loss', 'nll', '--format', 'csv'],
        ['--by', 'run,epoch', '--format', 'json'],
        ['--by', 'run', '--limit', '3001', '--format', 'json'],
        ['--by', 'file,epoch', '--limit', '777', '--format', 'csv'],
        ['--by', 'run,epoch', '--metric', 'confusion-matrix', '--report', 'REPORT', '--format', 'json'],
      ];
      // Parquet items each start a decoder thread: three cases (keys over row groups, a limit, the
      // report's steps) keep the test's time near the others'.
      for (const [n, args] of cases.entries()) {
        if (format === 'parquet' && ![0, 3, 5].includes(n)) continue;
        const reportOf = (who: string): string[] =>
          args.map((a) => (a === 'REPORT' ? join(dir, `keyed-${kind}-${n}-${who}.html`) : a));
        const local = await runCli(['eval', streams, ...reportOf('local')]);
        expect(local.code).toBe(0);
        const run = coordinator([streams, ...reportOf('nats')]);
        expect(await run.exited()).toBe(0);
        expect([args, run.stdout()]).toEqual([args, local.stdout]);
        // Several items per file (items of 60,000 bytes), not one item per file.
        const items = Number(/: (\d+) items? on /.exec(run.stderr())?.[1]);
        if (!args.includes('--limit')) expect([args, items > 4]).toEqual([args, true]);
        if (args.includes('REPORT')) {
          const [a, b] = [
            readFileSync(reportOf('local').at(-3)!, 'utf8'),
            readFileSync(reportOf('nats').at(-3)!, 'utf8'),
          ];
          expect(charts(a).length).toBeGreaterThan(0);
          expect(charts(b)).toEqual(charts(a));
        }
      }
    },
    // Two files' runs, local and distributed, a few times over, on a loaded 2-core machine.
    240_000,
  );

  it('fails past the --by group budget as local eval does (a worker charges its batch as it builds the groups), with no result', async () => {
    const args = [stream, file, '--by', 'step', '--max-groups', '100', '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    expect(local.code).toBe(1);
    // Local eval fails as the first batch past the limit builds its groups (naming its row); so
    // does the worker given that batch, on its first delivery (the run's option, not a damaged
    // item: no redelivery), and the coordinator says it as local eval does.
    const budget = /'step' has more than 100 distinct values in one batch: the limit is 100 groups/;
    expect(local.stderr).toMatch(budget);
    worker();
    worker();
    const run = coordinator(args);
    expect(await run.exited()).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).not.toMatch(/failed on every delivery|damaged/);
    expect(run.stderr()).toMatch(budget);
    expect(run.stderr()).toMatch(/row 100\b/);
    expect(run.stderr()).toContain('[TOO_MANY_GROUPS]');
    expect(await runsOnServer()).toEqual([]);
  });

  it('fails a batch of many keys of a big state within the memory budget: the worker builds no more than fits, with no result', async () => {
    // One batch of 2,000 steps, each a 1,000-class confusion matrix (8 MB): 16 GB built whole,
    // past the 128 MiB group budget after a few keys.
    const big = join(dir, 'many-keys-1000.arrows');
    await writeTrainingLog(big, 'arrow-stream', { rows: 2_000, classes: 1_000, epochs: 1, batchRows: 2_000 });
    const args = [big, '--by', 'step', '--metric', 'confusion-matrix', '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    expect(local.code).toBe(1);
    const budget = /'step' has more than \d+ distinct values in one batch/;
    expect(local.stderr).toMatch(budget);
    const w = worker();
    const run = coordinator(args);
    expect(await run.exited()).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(budget);
    expect(run.stderr()).toContain('[TOO_MANY_GROUPS]');
    // The worker failed the item each time and is still serving (it did not run out of memory).
    expect(w.child.exitCode).toBe(null);
    expect(await runsOnServer()).toEqual([]);
  });

  it('refuses at planning what local eval refuses at its first batch, with its message and exit code, publishing nothing (no worker needed)', async () => {
    for (const args of [
      ['--by', 'nosuchcol'],
      ['--loss', 'mse'],
      ['--by', 'epoch', '--loss', 'mse'],
      ['--by', 'file', '--loss', 'mse'],
      ['--loss', 'cross-entropy', '--label-smoothing', '2'],
      ['--loss', 'cross-entropy', '--weight', '1,2'],
      ['--metric', 'accuracy', '--threshold', '0.3'],
    ]) {
      const all = [stream, parquet, ...args, '--format', 'json'];
      const local = await runCli(['eval', ...all]);
      expect(local.code).not.toBe(0);
      // No worker runs: without the checks the coordinator would wait for one.
      const run = coordinator(all);
      expect([args, await run.exited()]).toEqual([args, local.code]);
      expect([args, run.stderr()]).toEqual([args, local.stderr]);
      expect(run.stdout()).toBe('');
    }
    expect(await runsOnServer()).toEqual([]);
  }, 120_000);

  it('removes a run that failed on its merged states (a shape that changed between files), or keeps it marked failed with --keep', async () => {
    const wide = join(dir, 'twenty-classes.arrows');
    await writeTrainingLog(wide, 'arrow-stream', { rows: 1_000, classes: 20, epochs: 1, batchRows: 500 });
    const args = [stream, wide, '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('[SHAPE_CHANGED]');
    worker();
    const run = coordinator(args);
    expect(await run.exited()).toBe(1);
    expect(run.stderr()).toContain('[SHAPE_CHANGED]');
    expect(await runsOnServer()).toEqual([]);
    const kept = coordinator([...args, '--keep', '--run', 'kept-failed']);
    expect(await kept.exited()).toBe(1);
    const nc = await connectNats({ servers: server.url });
    try {
      const info = (await describeRuns(nc)).find((r) => r.run === 'kept-failed');
      expect(info).toMatchObject({ kind: 'distributed', failed: true });
      // No worker is handed its items any more (the stream keeps them for a resume).
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(runNames('kept-failed').stream)).state.consumer_count).toBe(0);
      const table = await runCli(['runs', '--nats', server.url]);
      expect(table.stdout).toMatch(/kept-failed +distributed +\d+s +\d+\/\d+ items +failed/);
    } finally {
      await removeRun(nc, { distributed: 'kept-failed' });
      await nc.close();
    }
  });

  it('keeps the run with --keep', async () => {
    worker();
    const run = coordinator([stream, '--run', 'kept', '--keep', '--format', 'json']);
    expect(await run.exited()).toBe(0);
    expect(await runsOnServer()).toEqual(['kept']);
    const nc = await connectNats({ servers: server.url });
    await removeRun(nc, { distributed: 'kept' });
    await nc.close();
    expect(await runsOnServer()).toEqual([]);
  });

  it('is exact when a worker is SIGKILLed mid-item: the item is redelivered and counted once', async () => {
    const args = [stream, parquet, '--by', 'epoch', '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    const doomed = worker({ LOSSFLOW_WORKER_TEST_STALL: 'after-store' });
    // Kept: the coordinator has every state as soon as the other items are done, and may end
    // before the killed worker's item is redelivered; the redelivery is awaited below.
    const run = coordinator([...args, '--run', 'killed', '--keep']);
    // It stored its first item's states and holds it unacknowledged.
    await doomed.waitForStderr(/stalling/);
    doomed.kill('SIGKILL');
    await doomed.exited();
    const healthy = worker();
    expect(await run.exited()).toBe(0);
    expect(run.stdout()).toBe(local.stdout);
    // The redelivered item's states were already stored: it was acknowledged, not counted again.
    await healthy.waitForStderr(
      /item (\d+) .*: delivery 2\n.*item \1 .*: stored \(already stored by another worker\)/,
    );
    const nc = await connectNats({ servers: server.url });
    await removeRun(nc, { distributed: 'killed' });
    await nc.close();
  });

  it('says it waits for workers, and resumes from the stored states when restarted with --run, whatever output flags changed', async () => {
    const inputs = [stream, file, '--by', 'epoch'];
    const local = await runCli(['eval', ...inputs, '--format', 'json']);
    // Started to print CSV lines to a report; resumed quietly as JSON: the same run.
    const first = coordinator([
      ...inputs,
      '--format',
      'csv',
      '--every',
      '2',
      '--report',
      join(dir, 'first.html'),
      '--run',
      'resumed',
    ]);
    await first.waitForStderr(/waiting for workers: none is connected/);
    first.kill('SIGKILL');
    await first.exited();
    // A worker computes every published item while no coordinator runs.
    const w = worker();
    const items = Number(/(\d+) items?/.exec(first.stderr())![1]);
    await w.waitForStderr(new RegExp(`item ${items - 1} \\(.*\\): stored`));
    w.kill('SIGKILL');
    await w.exited();
    const second = coordinator([...inputs, '-q', '--format', 'json', '--keep', '--run', 'resumed']);
    expect(await second.exited()).toBe(0);
    expect(second.stdout()).toBe(local.stdout);
    // Nothing was computed twice: the resumed run found every state in its bucket.
    expect(w.stderr().match(/: stored$/gm)).toHaveLength(items);
    // Another loss is another computation: refused, not merged with the stored states.
    const other = coordinator([...inputs, '--loss', 'nll', '--format', 'json', '--run', 'resumed']);
    expect(await other.exited()).toBe(1);
    expect(other.stdout()).toBe('');
    expect(other.stderr()).toContain('run resumed was started with other files or options');
    const nc = await connectNats({ servers: server.url });
    await removeRun(nc, { distributed: 'resumed' });
    await nc.close();
  });

  it('fails with FILE_CHANGED naming the file and item when the file is rewritten after planning, with no result', async () => {
    const changing = join(dir, 'changing.arrows');
    copyFileSync(stream, changing);
    const run = startCli(['eval', changing, '--by', 'epoch', '--format', 'json', '--nats', server.url], {
      ...TUNING,
      LOSSFLOW_NATS_MAX_DELIVER: '1',
    });
    started.push(run);
    await run.waitForStderr(/waiting for workers/);
    // Same size and layout, other values: only the file's identity tells them apart.
    await writeTrainingLog(changing, 'arrow-stream', {
      rows: 3_000,
      classes: 10,
      epochs: 3,
      batchRows: 500,
      seed: 9,
    });
    worker();
    expect(await run.exited()).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(
      /item \d+ of run .* \(.*changing\.arrows, batches \d+–\d+\) failed on every delivery: FILE_CHANGED/,
    );
    expect(run.stderr()).toContain('No result was written.');
  });

  it('fails with FILE_CHANGED when a file read with --allow-missing-end-of-stream is cut after planning', async () => {
    const cut = join(dir, 'cut.arrows');
    copyFileSync(stream, cut);
    const run = startCli(
      ['eval', cut, '--allow-missing-end-of-stream', '--format', 'json', '--nats', server.url],
      { ...TUNING, LOSSFLOW_NATS_MAX_DELIVER: '1' },
    );
    started.push(run);
    await run.waitForStderr(/waiting for workers/);
    const bytes = readFileSync(cut);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    worker();
    expect(await run.exited()).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(/cut\.arrows.*failed on every delivery: FILE_CHANGED/);
  });

  it('fails naming the file and item of a poison item, after its last delivery, with no result', async () => {
    const local = await runCli(['eval', poison, '--format', 'json']);
    expect(local.code).toBe(1);
    const w = worker();
    const run = coordinator([poison, '--format', 'json']);
    // Waits on the events of the fault, however slow a loaded machine makes each delivery: the
    // worker gives up on the item's last delivery, then the coordinator fails the run.
    // Under heavy load nats-server 2.9 may report a redelivery's count as 1 again (a pull that
    // expired as the item was handed out), so the worker never sees its last delivery; the
    // server's max-deliveries advisory then fails the run: either way, not a wait forever.
    await Promise.race([w.waitForStderr(/failed on its last delivery/), run.exited()]);
    expect(await run.exited()).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(
      /item \d+ of run .* \(.*poison\.arrows, batches \d+–\d+\) failed on every delivery/,
    );
    expect(run.stderr()).toContain('No result was written.');
    // A whole fault (three failing deliveries, the failure record, the run's removal) under load 30,
    // not a wait of its own: the events above are what the test waits on.
  }, 300_000);

  it('fails naming the item when its workers crash on it on every delivery, with no result', async () => {
    const run = startCli(['eval', stream, '--format', 'json', '--nats', server.url], {
      ...TUNING,
      LOSSFLOW_NATS_MAX_DELIVER: '2',
      LOSSFLOW_NATS_ITEM_BYTES: '100000000',
    });
    started.push(run);
    for (let delivery = 1; delivery <= 2; delivery++) {
      const crashing = worker({ LOSSFLOW_WORKER_TEST_STALL: 'before-compute' });
      await crashing.waitForStderr(/stalling/);
      crashing.kill('SIGKILL');
      await crashing.exited();
    }
    // The server finds the deliveries exhausted when a worker asks for the next item.
    worker();
    expect(await run.exited()).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(
      /item 0 of run .* \(.*log\.arrows, batches 0–17\) failed on every delivery: no worker completed it/,
    );
  });

  it('does not count graceful releases (SIGTERM) toward the delivery limit: the run completes exactly', async () => {
    const args = [stream, '--by', 'epoch', '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    const run = startCli(['eval', ...args, '--nats', server.url], {
      ...TUNING,
      LOSSFLOW_NATS_MAX_DELIVER: '2',
      LOSSFLOW_NATS_ITEM_BYTES: '100000000',
    });
    started.push(run);
    for (let release = 1; release <= 2; release++) {
      const leaving = worker({ LOSSFLOW_WORKER_TEST_STALL: 'before-compute' });
      await leaving.waitForStderr(/stalling/);
      leaving.kill('SIGTERM');
      expect(await leaving.exited()).toBe(0);
      expect(leaving.stderr()).toMatch(/item 0 .*: released for another worker/);
    }
    worker();
    expect(await run.exited()).toBe(0);
    expect(run.stdout()).toBe(local.stdout);
  });

  it('never merges a state a paused worker stored for a removed run into a new run of the same id', async () => {
    const other = join(dir, 'other.arrows');
    await writeTrainingLog(other, 'arrow-stream', {
      rows: 3_000,
      classes: 10,
      epochs: 3,
      batchRows: 500,
      seed: 12,
    });
    const args = ['--by', 'epoch', '--format', 'json', '--run', 'reused'];
    const local = await runCli(['eval', other, '--by', 'epoch', '--format', 'json']);
    // Paused on its first item of the first run, its keep-alives stopped with it (SIGSTOP).
    const paused = worker({ LOSSFLOW_WORKER_TEST_STALL: 'before-compute-until-usr2' });
    const first = coordinator([stream, ...args]);
    await paused.waitForStderr(/stalling until SIGUSR2/);
    paused.kill('SIGSTOP');
    // Another worker completes the first run (the paused item is redelivered) and it is removed.
    const helper = worker();
    expect(await first.exited()).toBe(0);
    helper.kill('SIGTERM');
    expect(await helper.exited()).toBe(0);
    expect(await runsOnServer()).toEqual([]);
    // A new run of the same id, of another file: its only worker is the paused one, woken with
    // the first run's item in hand.
    const second = coordinator([other, ...args]);
    // (A stopped worker still counts as connected: its subscriptions stay on the server.)
    await planStored('reused');
    paused.kill('SIGCONT');
    // Sent until it says it woke (the worker listens all along: a repeat is harmless).
    for (let tries = 0; !/woken/.test(paused.stderr()); tries++) {
      expect(tries, `the paused worker never said it woke; its log:\n${paused.stderr()}`).toBeLessThan(600);
      paused.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await second.exited()).toBe(0);
    expect(second.stdout()).toBe(local.stdout);
  });

  it('is exact when the NATS server restarts mid-run (file storage keeps the run)', async () => {
    const args = [stream, file, parquet, '--by', 'epoch', '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    const stalled = worker({ LOSSFLOW_WORKER_TEST_STALL: 'after-store' });
    const run = coordinator(args);
    await stalled.waitForStderr(/stalling/);
    await server.restart();
    stalled.kill('SIGKILL');
    worker();
    expect(await run.exited()).toBe(0);
    expect(run.stdout()).toBe(local.stdout);
  });
});

describe('lossflow eval --nats usage', () => {
  it('refuses what a distributed run of files cannot do, saying what to do instead (bad usage, before connecting)', async () => {
    for (const [extra, named, instead] of [
      [
        [stream, '--follow'],
        '--follow cannot be combined with --nats FILES',
        'lossflow publish FILE --subject S',
      ],
      [['-'], 'standard input (-) cannot be combined with --nats', 'lossflow eval --nats URL --subject S'],
      [
        [stream, '--per-row', join(dir, 'rows.arrows')],
        '--per-row cannot be combined with --nats',
        'without --nats',
      ],
    ] as const) {
      const run = await runCli(['eval', ...extra, '--nats', 'nats://127.0.0.1:1']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(named);
      expect(run.stderr).toContain(instead);
    }
  });
});

describe('lossflow worker', () => {
  it('releases the item in hand on SIGTERM and exits 0; another worker completes the run exactly', async () => {
    const args = [stream, '--by', 'epoch', '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    const leaving = worker({ LOSSFLOW_WORKER_TEST_STALL: 'after-store' });
    const run = coordinator(args);
    await leaving.waitForStderr(/stalling/);
    leaving.kill('SIGTERM');
    expect(await leaving.exited()).toBe(0);
    expect(leaving.stderr()).toMatch(/item \d+ .*: released for another worker/);
    worker();
    expect(await run.exited()).toBe(0);
    expect(run.stdout()).toBe(local.stdout);
  });

  it('exits 0 on SIGTERM', async () => {
    const w = worker();
    await w.waitForStderr(/serving runs/);
    w.kill('SIGTERM');
    expect(await w.exited()).toBe(0);
    expect(w.stderr()).toContain('stopped');
  });

  it('exits 0 on SIGTERM while its server is down (it never waits for the server to come back)', async () => {
    const doomed = await startNatsServer();
    try {
      const w = startCli(['worker', '--nats', doomed.url]);
      started.push(w);
      await w.waitForStderr(/serving runs/);
      await doomed.stop();
      w.kill('SIGTERM');
      // Not a timing: a worker that waits for the server waits forever, past this bound.
      const late = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000).unref());
      expect(await Promise.race([w.exited(), late])).toBe(0);
      expect(w.stderr()).toContain('stopped');
    } finally {
      await doomed.stop();
    }
  });

  it('connects to nats://127.0.0.1:4222 without --nats or NATS_URL, as every NATS command does', async () => {
    const w = startCli(['worker'], { NATS_URL: '' });
    started.push(w);
    // Served there, or told that no server listens there: either way the default was used.
    await w.waitForStderr(/(serving runs on|no NATS server at) nats:\/\/127\.0\.0\.1:4222/);
    if (/no NATS server at/.test(w.stderr())) {
      expect(await w.exited()).toBe(1);
      expect(w.stderr()).toContain('or pass --nats URL');
    }
  });

  it('says no server listens at the URL given, and how to start one', async () => {
    const run = await runCli(['worker', '--nats', 'nats://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'lossflow worker: no NATS server at nats://127.0.0.1:1 — start one with JetStream (nats-server -js',
    );
  });
});

describe('distributed runs on a token-protected server', () => {
  let secured: NatsServer;
  beforeAll(async () => {
    secured = await startNatsServer({ token: 'd1st-token' });
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it('complete with the right token (--nats-token), as local eval', async () => {
    const args = [stream, '--by', 'epoch', '--format', 'json'];
    const local = await runCli(['eval', ...args]);
    started.push(startCli(['worker', '--nats', secured.url, '--nats-token', 'd1st-token']));
    const run = startCli(['eval', ...args, '--nats', secured.url, '--nats-token', 'd1st-token'], TUNING);
    started.push(run);
    expect(await run.exited()).toBe(0);
    expect(run.stdout()).toBe(local.stdout);
  });

  it('records the command line in the report with the token masked (in the URL and in --nats-token); a URL token authenticates', async () => {
    const report = join(dir, 'secured-report.html');
    const withToken = secured.url.replace('nats://', 'nats://d1st-token@');
    // The token in the URL alone authenticates (nats.js ignores a URL's user info by itself).
    started.push(startCli(['worker', '--nats', withToken]));
    const run = startCli(
      ['eval', stream, '--report', report, '--nats', withToken, '--nats-token=d1st-token'],
      TUNING,
    );
    started.push(run);
    expect(await run.exited()).toBe(0);
    const html = readFileSync(report, 'utf8');
    // Quoted for a shell (a * would glob), and HTML-escaped.
    expect(html).toMatch(/--nats (&#39;|')nats:\/\/\*\*\*@127\.0\.0\.1:\d+/);
    expect(html).toMatch(/(&#39;|')--nats-token=\*\*\*/);
    expect(html).not.toContain('d1st-token');
    expect(run.stderr()).not.toContain('d1st-token');
  });

  it('exit 1 with a clear message for a wrong or missing token: coordinator and worker', async () => {
    const refused = `${secured.url} refused the connection: authorization violation. Pass the credentials the server expects`;
    for (const token of [[], ['--nats-token', 'wrong']]) {
      const run = await runCli(['eval', stream, '--format', 'json', '--nats', secured.url, ...token]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`lossflow eval: ${refused}`);
      const w = await runCli(['worker', '--nats', secured.url, ...token]);
      expect(w.code).toBe(1);
      expect(w.stderr).toContain(`lossflow worker: ${refused}`);
    }
  });
});
