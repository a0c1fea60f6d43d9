/**
 * `--by` with more distinct keys than the group budget: the run fails early with
 * `TOO_MANY_GROUPS` (exit 1) naming the key, the count and the budget, never an out-of-memory
 * crash or a truncated result, in the main thread (`--report` reads there), in worker threads and
 * with several keys; `--max-groups` sets the budget.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIpcStream } from '@lossflow/arrow/node';
import { Field, Float32, Int32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/runCli.js';

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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-groups-'));
  log = join(dir, 'ids.arrows');
  await writeIdLog(log);
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

  it('counts a metric group at its measured cost (~12 KiB, not the few bytes of its arrays): mae by id fails past ~10,800 groups', async () => {
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
      expect(run.stderr).toMatch(
        /'id' has more than 10,8\d\d distinct values \(group 10,8\d\d is id=108\d\d\): the budget is 10,8\d\d groups \(128 MiB of group states at ~12,\d{3} bytes per group\)/,
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
      const past = await runCli(['eval', log, ...MSE, '--by', 'run,id', '--max-groups', '1000', ...where]);
      expect(past.code).toBe(1);
      expect(past.stderr).toContain(
        "'run,id' has more than 1,000 distinct values (group 1,001 is run=0 id=1000): the limit is 1,000 groups",
      );
      expect(past.stderr).toContain('Raise --max-groups (1000) if the memory is there');
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
