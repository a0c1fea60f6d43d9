/**
 * `--by` with more distinct keys than the group budget: the run fails early with
 * `TOO_MANY_GROUPS` (exit 1) naming the key, the count and the budget, never an out-of-memory
 * crash or a truncated result, in the main thread (`--report` reads there), in worker threads and
 * with several keys; `--max-groups` sets the budget.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIpcStream } from '@lossflow/arrow/node';
import { Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../testing/runCli.js';

const ROWS = 150_000;
const BATCH = 30_000;
let dir: string;
let log: string;

/** `id` (a distinct value per row), `run` (0/1) and `pred`/`y`, in batches of 30,000 rows. */
async function writeIdLog(path: string): Promise<void> {
  const fields = [
    new Field('id', new Int32(), false),
    new Field('run', new Int32(), false),
    new Field('pred', new Float32(), false),
    new Field('y', new Float32(), false),
  ];
  const out = writeIpcStream(path, new Schema(fields));
  for (let start = 0; start < ROWS; start += BATCH) {
    const id = new Int32Array(BATCH).map((_, i) => start + i);
    const run = id.map((v) => v % 2);
    const pred = new Float32Array(BATCH).map((_, i) => (i % 7) / 7);
    const y = new Float32Array(BATCH).map((_, i) => (i % 5) / 5);
    const children = [
      makeData({ type: new Int32(), length: BATCH, data: id }),
      makeData({ type: new Int32(), length: BATCH, data: run }),
      makeData({ type: new Float32(), length: BATCH, data: pred }),
      makeData({ type: new Float32(), length: BATCH, data: y }),
    ];
    await out.write(
      new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: BATCH, children })),
    );
  }
  await out.close();
}

const CLASSES = 100;
const WIDE_ROWS = 20_000;

/** One batch of 20,000 rows, each its own `id`, with 100 class logits and a `label`. */
async function writeWideLog(path: string): Promise<void> {
  const logits = new FixedSizeList(CLASSES, new Field('item', new Float32(), false));
  const fields = [
    new Field('id', new Int32(), false),
    new Field('logits', logits, false),
    new Field('label', new Int32(), false),
  ];
  const n = WIDE_ROWS;
  const out = writeIpcStream(path, new Schema(fields));
  const children = [
    makeData({ type: new Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => i) }),
    makeData({
      type: logits,
      length: n,
      child: makeData({
        type: new Float32(),
        length: n * CLASSES,
        data: Float32Array.from({ length: n * CLASSES }, (_, i) => (i % 13) / 13),
      }),
    }),
    makeData({ type: new Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => i % CLASSES) }),
  ];
  await out.write(
    new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children })),
  );
  await out.close();
}

/** A CLI run under GNU time: what it printed, its exit code and its peak RSS in KB. */
function runCliMeasured(
  args: readonly string[],
): Promise<{ code: number | null; stderr: string; maxRssKb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', () => {
      const rss = /maxrss=(\d+)\s*$/.exec(stderr);
      const exit = /Command exited with non-zero status (\d+)/.exec(stderr);
      resolve({ code: exit === null ? 0 : Number(exit[1]), stderr, maxRssKb: Number(rss?.[1]) });
    });
  });
}

let wide: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-groups-'));
  log = join(dir, 'ids.arrows');
  await writeIdLog(log);
  wide = join(dir, 'wide.arrows');
  await writeWideLog(wide);
});

const MSE = ['--loss', 'mse', '--input', 'pred', '--target', 'y'];

describe('lossflow eval --by with more groups than the budget', () => {
  it('fails at the default budget (128 MiB of group states) with TOO_MANY_GROUPS, in the main thread and in workers', async () => {
    const report = join(dir, 'report.html');
    for (const where of [
      ['--threads', '1'],
      ['--threads', '2'],
      ['--report', report],
    ]) {
      const run = await runCli(['eval', log, ...MSE, '--by', 'id', '--format', 'json', ...where]);
      expect(run.code, where.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        "'id' has more than 32,768 distinct values (group 32,769 is id=32768): the budget is 32,768 groups (128 MiB of group states at ~4,096 bytes per group)",
      );
      expect(run.stderr).toContain('[TOO_MANY_GROUPS]. Raise --max-groups');
      expect(run.stderr).toMatch(/group by a coarser key, or write each row's loss with --per-row/);
      expect(run.stderr).toContain("batch 1, column 'id'");
    }
  }, 240_000);

  it('counts a metric group at its measured cost (~14 KiB, not the few bytes of its arrays): mae by id fails past ~9,100 groups (its exact-sum state is 74 float64)', async () => {
    for (const where of [
      ['--threads', '1'],
      ['--threads', '2'],
    ]) {
      const run = await runCli([
        'eval',
        log,
        '--metric',
        'mae',
        '--input',
        'pred',
        '--target',
        'y',
        '--by',
        'id',
        '--format',
        'json',
        ...where,
      ]);
      expect(run.code, where.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      // Batch 0 alone has more ids than that: it fails as it builds the state past the budget,
      // naming the row where the first id past it appears.
      expect(run.stderr).toMatch(
        /\(file '[^']+', batch 0, row 9\d{3}, column 'id'\): 'id' has more than 9,\d{3} distinct values in one batch: the budget is 9,\d{3} groups \(128 MiB of group states at ~14,\d{3} bytes per group\)/,
      );
      expect(run.stderr).toContain('[TOO_MANY_GROUPS]. Raise --max-groups');
    }
  }, 240_000);

  it('--max-groups sets the budget: a run within it prints every group, one past it fails naming the key', async () => {
    const within = await runCli([
      'eval',
      log,
      ...MSE,
      '--by',
      'run',
      '--max-groups',
      '2',
      '--format',
      'json',
    ]);
    expect(within.code).toBe(0);
    expect(
      (JSON.parse(within.stdout) as { results: { groups: unknown[] }[] }).results[0]!.groups,
    ).toHaveLength(2);

    for (const where of [
      ['--threads', '2'],
      ['--threads', '1'],
    ]) {
      // Batches of 30,000 ids: the 40,001st id comes in batch 1.
      const past = await runCli(['eval', log, ...MSE, '--by', 'run,id', '--max-groups', '40000', ...where]);
      expect(past.code).toBe(1);
      expect(past.stderr).toContain(
        "'run,id' has more than 40,000 distinct values (group 40,001 is run=0 id=40000): the limit is 40,000 groups",
      );
      expect(past.stderr).toContain('Raise --max-groups (40000) if the memory is there');
      // Batch 0 alone past the limit: it fails at the row of the first key past it.
      const batch = await runCli(['eval', log, ...MSE, '--by', 'run,id', '--max-groups', '1000', ...where]);
      expect(batch.code).toBe(1);
      expect(batch.stderr).toContain(
        "batch 0, row 1000, column 'run,id'): 'run,id' has more than 1,000 distinct values in one batch: the limit is 1,000 groups",
      );
      expect(batch.stderr).toContain('Raise --max-groups (1000) if the memory is there');
    }
  }, 240_000);

  it('bounds the memory of one batch of many keys: a confusion matrix or AUROC bins per id fail before building the states past the budget', async () => {
    for (const metric of ['confusion-matrix', 'auroc']) {
      for (const where of [
        ['--threads', '1'],
        ['--threads', '2'],
        ['--report', join(dir, 'wide.html')],
      ]) {
        const what = [metric, ...where].join(' ');
        const run = await runCliMeasured([
          'eval',
          wide,
          '--metric',
          metric,
          '--input',
          'logits',
          '--target',
          'label',
          '--by',
          'id',
          ...where,
        ]);
        expect(run.code, what).toBe(1);
        expect(run.stderr, what).toMatch(
          /batch 0, row \d+, column 'id'\): 'id' has more than \d+ distinct values in one batch: the budget is \d+ groups \(128 MiB of group states at ~[\d,]+ bytes per group\)/,
        );
        expect(run.stderr, what).toContain('[TOO_MANY_GROUPS]. Raise --max-groups');
        // Building every id's state took 3.2 GB (confusion matrix) and 12.6 GB (AUROC): now the
        // budget's 128 MiB, the batch and the CLI itself, with a wide margin.
        expect(run.maxRssKb, what).toBeGreaterThan(0);
        expect(run.maxRssKb, what).toBeLessThan(1_000_000);
      }
    }
  }, 240_000);

  it('--max-groups is bad usage without --by or with a value that is not a whole number ≥ 1', async () => {
    for (const args of [
      ['--max-groups', '10'],
      ['--by', 'run', '--max-groups', '0'],
      ['--by', 'run', '--max-groups', 'many'],
    ]) {
      const run = await runCli(['eval', log, ...MSE, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
    }
  }, 120_000);
});
