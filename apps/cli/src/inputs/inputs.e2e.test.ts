/**
 * Logs as users have them, through the built CLI: standard input, folders, quoted globs, Hive
 * partitions written by DuckDB, several runs side by side. Each form must give what evaluating the
 * same rows from one file gives.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli } from '../testing/runCli.js';

interface Group {
  key: unknown;
  value: number;
  rows: number;
}
interface Doc {
  rows: number;
  results: { value: number; rows: number; groups?: Group[] }[];
}

const FIXTURE = join(FIXTURES, 'epoch-log.arrows');
let dir: string;

async function evalJson(args: readonly string[]): Promise<Doc> {
  const run = await runCli(['eval', ...args, '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Doc;
}

/** `cat FILE | lossflow …args`. */
function piped(
  file: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const quoted = args.map((a) => `'${a}'`).join(' ');
    const child = spawn('bash', ['-c', `cat '${file}' | '${process.execPath}' '${BIN}' ${quoted}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-inputs-'));
  // One log as a folder of shards, named so that code-unit order (part-10 < part-2) is not the order.
  for (const shard of ['part-2', 'part-10', 'nested/part-1']) {
    mkdirSync(join(dir, 'shards', shard, '..'), { recursive: true });
    copyFileSync(FIXTURE, join(dir, 'shards', `${shard}.arrows`));
  }
  copyFileSync(FIXTURE, join(dir, 'shards', '_SUCCESS'));
});

describe('standard input, folders and globs', () => {
  it('- reads an Arrow IPC stream from standard input, equal to the file, and the summary shows the bytes read', async () => {
    const file = await evalJson([FIXTURE, '--by', 'epoch']);
    const run = await piped(FIXTURE, ['eval', '-', '--by', 'epoch', '--format', 'json']);
    expect(run.stderr).toBe('');
    const stdin = JSON.parse(run.stdout) as Doc & { files: { path: string }[] };
    // Worker threads read a pipe's schema themselves, so its columns are not listed (see the README).
    const values = (d: Doc) => ({
      rows: d.rows,
      results: d.results.map(({ value, rows, groups }) => ({ value, rows, groups })),
    });
    expect(values(stdin)).toEqual(values(file));
    expect(stdin.files.map((f) => f.path)).toEqual(['/dev/stdin']);
    const table = await piped(FIXTURE, ['eval', '-', '--by', 'epoch']);
    expect(table.stdout).toMatch(/148 rows · 10 batches · 11\.7 kB in /);
  });

  it('a folder reads its log files at any depth in natural order, skipping _ and . names', async () => {
    const doc = await evalJson([join(dir, 'shards'), '--by', 'file']);
    const names = ['nested/part-1', 'part-2', 'part-10'].map((s) => join(dir, 'shards', `${s}.arrows`));
    expect(doc.results[0]!.groups!.map((g) => g.key)).toEqual(names);
    const one = await evalJson([FIXTURE]);
    for (const g of doc.results[0]!.groups!) {
      expect(g.value).toBe(one.results[0]!.value);
      expect(g.rows).toBe(148);
    }
    expect(doc.rows).toBe(3 * 148);
  });

  it('a quoted glob is expanded by lossflow, equal to naming the files', async () => {
    const glob = await evalJson([join(dir, 'shards', 'part-*.arrows'), '--by', 'epoch']);
    const listed = await evalJson(
      ['part-2', 'part-10'].flatMap((s) => [join(dir, 'shards', `${s}.arrows`)]).concat(['--by', 'epoch']),
    );
    expect(glob).toEqual(listed);
    expect(glob.rows).toBe(2 * 148);
    const deep = await evalJson([join(dir, 'shards', '**', '*.arrows')]);
    expect(deep.rows).toBe(3 * 148);
  });

  it('a folder follows links to folders as a glob does, walking a folder reached twice (a link back up) once', async () => {
    const root = join(dir, 'linked');
    mkdirSync(join(root, 'sub'), { recursive: true });
    copyFileSync(FIXTURE, join(root, 'sub', 'x.arrows'));
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    copyFileSync(FIXTURE, join(dir, 'elsewhere', 'y.arrows'));
    symlinkSync('..', join(root, 'sub', 'up'));
    symlinkSync(join(dir, 'elsewhere'), join(root, 'more'));
    const folder = await evalJson([root, '--by', 'file']);
    expect(folder.results[0]!.groups!.map((g) => g.key)).toEqual([
      join(root, 'more', 'y.arrows'),
      join(root, 'sub', 'x.arrows'),
    ]);
    const glob = await evalJson([join(root, '**', '*.arrows'), '--by', 'file']);
    expect(glob).toEqual(folder);
  });

  it('the same file twice (directly, through its folder or a glob) is bad usage, naming it', async () => {
    const part = join(dir, 'shards', 'part-2.arrows');
    for (const args of [
      [part, part],
      [join(dir, 'shards'), part],
      [join(dir, 'shards', '*.arrows'), join(dir, 'shards', 'part-2.arrows')],
    ]) {
      const run = await runCli(['eval', ...args]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('part-2.arrows is given twice');
    }
  });

  it('a glob matching nothing and an empty folder are bad usage', async () => {
    const glob = await runCli(['eval', join(dir, 'shards', 'nothing-*.arrows')]);
    expect(glob.code).toBe(2);
    expect(glob.stderr).toContain('no file matches');
    mkdirSync(join(dir, 'empty'));
    const empty = await runCli(['eval', join(dir, 'empty')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no log file');
  });
});

describe('Hive partitions written by DuckDB', () => {
  let duck: DuckDBConnection;
  const hive = () => join(dir, 'hive');
  beforeAll(async () => {
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    // 2 runs × 3 epochs (0, 2, 10: natural order differs from code-unit order) × 40 rows, 4 classes.
    await duck.run(`CREATE TABLE log AS
      SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS run,
             [0, 2, 10][1 + (i // 80)]::BIGINT AS epoch,
             [sin(i)::FLOAT, cos(i)::FLOAT, (i % 7 / 7.0)::FLOAT, 0.5::FLOAT]::FLOAT[4] AS logits,
             (i % 4)::BIGINT AS target
      FROM range(240) t(i)`);
    await duck.run(`COPY log TO '${hive()}' (FORMAT PARQUET, PARTITION_BY (run, epoch))`);
    await duck.run(
      `COPY (SELECT epoch, logits, target FROM log) TO '${join(dir, 'all.parquet')}' (FORMAT PARQUET)`,
    );
    for (const run of ['a', 'b']) {
      await duck.run(
        `COPY (SELECT epoch, logits, target FROM log WHERE run = '${run}') TO '${join(dir, `run-${run}.parquet`)}' (FORMAT PARQUET)`,
      );
    }
  });
  afterAll(() => duck.closeSync());

  it('DuckDB types the partition key epoch as an integer; so does lossflow, grouping as one file does', async () => {
    const reader = await duck.runAndReadAll(
      `SELECT DISTINCT typeof(epoch) AS t FROM read_parquet('${hive()}/**/*.parquet', hive_partitioning = true)`,
    );
    expect(reader.getRowObjects()).toEqual([{ t: 'BIGINT' }]);
    const folder = await evalJson([hive(), '--by', 'epoch']);
    const one = await evalJson([join(dir, 'all.parquet'), '--by', 'epoch']);
    const groups = folder.results[0]!.groups!;
    expect(groups.map((g) => g.key)).toEqual([0, 2, 10]);
    expect(groups.map((g) => g.rows)).toEqual(one.results[0]!.groups!.map((g) => g.rows));
    // The same rows in another order: equal to float64 rounding.
    for (const [i, g] of groups.entries()) expect(g.value).toBeCloseTo(one.results[0]!.groups![i]!.value, 12);
    expect(folder.results[0]!.value).toBeCloseTo(one.results[0]!.value, 12);
  });

  it('--by run,epoch: a string and an integer partition key side by side, each run as its own file gives', async () => {
    const doc = await evalJson([hive(), '--by', 'run,epoch']);
    const groups = doc.results[0]!.groups!;
    expect(groups.map((g) => g.key)).toEqual(
      ['a', 'b'].flatMap((run) => [0, 2, 10].map((epoch) => ({ run, epoch }))),
    );
    for (const [r, run] of ['a', 'b'].entries()) {
      const alone = await evalJson([join(dir, `run-${run}.parquet`), '--by', 'epoch']);
      for (const [i, g] of alone.results[0]!.groups!.entries()) {
        const mine = groups[r * 3 + i]!;
        expect(mine.rows).toBe(g.rows);
        expect(mine.value).toBeCloseTo(g.value, 12);
      }
    }
    const table = await runCli(['eval', hive(), '--by', 'run,epoch']);
    expect(table.stdout).toMatch(/^run\s+epoch\s+rows\s+cross-entropy$/m);
    expect(table.stdout).toMatch(/^b\s+10\s+40\s/m);
  });

  it('--by file,epoch mixes the file with a column of the data', async () => {
    const files = ['run-a.parquet', 'run-b.parquet'].map((f) => join(dir, f));
    const doc = await evalJson([...files, '--by', 'file,epoch']);
    expect(doc.results[0]!.groups!.map((g) => g.key)).toEqual(
      files.flatMap((file) => [0, 2, 10].map((epoch) => ({ file, epoch }))),
    );
  });

  it('files that disagree on a column used are an error naming both files', async () => {
    const other = join(dir, 'no-target.parquet');
    await duck.run(`COPY (SELECT logits, target AS label FROM log) TO '${other}' (FORMAT PARQUET)`);
    const run = await runCli(['eval', join(dir, 'all.parquet'), other, '--target', 'target']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${other} has no column 'target', which ${join(dir, 'all.parquet')} has`);
  });
});

describe('the terminal table', () => {
  it('prints one number of decimals per value column, and "1 batch"', async () => {
    const run = await runCli(['eval', FIXTURE, '--by', 'epoch']);
    const values = [...run.stdout.matchAll(/^(?:\d+|total)\s+\d+\s+(\S+)$/gm)].map((m) => m[1]!);
    expect(values).toHaveLength(5);
    const decimals = new Set(values.map((v) => v.split('.')[1]?.length));
    expect([...decimals]).toEqual([7]);
    const one = await runCli(['eval', FIXTURE, '--limit', '3']);
    expect(one.stdout).toMatch(/3 rows · 1 batch · /);
  });
});
