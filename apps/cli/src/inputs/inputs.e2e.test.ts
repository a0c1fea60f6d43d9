/**
 * Logs as users have them, through the built CLI: standard input, folders, quoted globs, Hive
 * partitions written by DuckDB, several runs side by side. Each form must give what evaluating the
 * same rows from one file gives.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
    const values = (d: Doc) => ({
      rows: d.rows,
      results: d.results.map(({ value, rows, groups }) => ({ value, rows, groups })),
    });
    expect(values(stdin)).toEqual(values(file));
    expect(stdin.files.map((f) => f.path)).toEqual(['-']);
    const table = await piped(FIXTURE, ['eval', '-', '--by', 'epoch']);
    expect(table.stdout).toMatch(/148 rows · 10 batches · 11\.7 kB in /);
  });

  it.each([
    ['1', 1],
    ['2', 2],
  ])(
    'standard input is named - in JSON, --by file and errors, with the bytes read and its columns (--threads %s)',
    async (threads) => {
      const size = statSync(FIXTURE).size;
      const other = join(dir, 'shards', 'part-2.arrows');
      const run = await piped(FIXTURE, [
        'eval',
        '-',
        other,
        '--by',
        'file',
        '--threads',
        threads,
        '--format',
        'json',
      ]);
      expect(run.stderr).toBe('');
      const doc = JSON.parse(run.stdout) as Doc & {
        files: { path: string; bytes: number }[];
        columns: string[];
      };
      expect(doc.files).toEqual([
        { path: '-', bytes: size },
        { path: other, bytes: size },
      ]);
      expect(doc.columns).toEqual(['logits', 'target']);
      expect(doc.results[0]!.groups!.map((g) => g.key)).toEqual(['-', other]);
      const alone = await piped(FIXTURE, ['eval', '-', '--threads', threads, '--format', 'json']);
      expect((JSON.parse(alone.stdout) as { columns: string[] }).columns).toEqual(['logits', 'target']);
      // The table's summary counts the bytes read from the pipe too (it said 11.7 kB for both files).
      const table = await piped(FIXTURE, ['eval', '-', other, '--threads', threads]);
      expect(table.stdout).toMatch(/296 rows · 20 batches · 23\.4 kB in /);
      const cut = join(dir, 'cut.arrows');
      writeFileSync(cut, readFileSync(FIXTURE).subarray(0, 3000));
      const damaged = await piped(cut, ['eval', '-', '--threads', threads]);
      expect(damaged.code).toBe(1);
      expect(damaged.stderr).toContain("file '-'");
      expect(damaged.stderr).not.toContain('/dev/stdin');
    },
  );

  it('a quoted glob skips _ and . names and files without a log extension, as a folder does; a literal path is read', async () => {
    const folder = join(dir, 'spark');
    mkdirSync(join(folder, '_temporary'), { recursive: true });
    copyFileSync(FIXTURE, join(folder, 'part-0.arrows'));
    for (const junk of [
      '_SUCCESS',
      '_extra.arrows',
      '.part-0.arrows.crc',
      '_temporary/part-9.arrows',
      'notes.txt',
      'part-0.arrows.crc',
    ])
      copyFileSync(FIXTURE, join(folder, junk));
    const expected = [join(folder, 'part-0.arrows')];
    for (const pattern of [join(folder, '*'), join(folder, '**'), join(folder, '**', '*')]) {
      const doc = await evalJson([pattern, '--by', 'file']);
      expect(
        doc.results[0]!.groups!.map((g) => g.key),
        pattern,
      ).toEqual(expected);
    }
    // A segment that starts with _ spells those names out (still log files only); a literal path
    // is read whatever its name.
    const underscored = await evalJson([join(folder, '_*'), '--by', 'file']);
    expect(underscored.results[0]!.groups!.map((g) => g.key)).toEqual([
      join(folder, '_extra.arrows'),
      join(folder, '_temporary', 'part-9.arrows'),
    ]);
    const literal = await evalJson([join(folder, 'notes.txt'), '--by', 'file']);
    expect(literal.rows).toBe(148);
  });

  it('--by with an empty name or a name twice is bad usage (exit 2), not a garbled table', async () => {
    for (const by of [',', 'a,', ',a', 'a,,b', 'epoch,epoch']) {
      const run = await runCli(['eval', FIXTURE, '--by', by]);
      expect(run.code, by).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('--by');
    }
  });

  it("--by file: the CSV batches of a group are the batches that held its rows, not the run's", async () => {
    const files = ['part-2', 'part-10'].map((s) => join(dir, 'shards', `${s}.arrows`));
    const run = await runCli(['eval', ...files, '--by', 'file', '--format', 'csv']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('kind,loss,reduction,key,value,rows,batches');
    expect(lines.slice(1).map((l) => l.split(',').at(-1))).toEqual(['10', '10', '20']);
  });

  it('--by file with a column named file in the data is bad usage naming the clash', async () => {
    const withFile = join(dir, 'with-file.parquet');
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(
      `COPY (SELECT 'x' AS file, [0.1::FLOAT, 0.9::FLOAT] AS logits, 1::BIGINT AS target FROM range(4)) TO '${withFile}' (FORMAT PARQUET)`,
    );
    duck.closeSync();
    const run = await runCli(['eval', withFile, '--by', 'file']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`--by file is ambiguous: ${withFile} has a column 'file'`);
    expect(run.stderr).toContain('Rename the column');
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

  it('several --by keys in CSV are one column each, named after the keys', async () => {
    const run = await runCli(['eval', hive(), '--by', 'run,epoch', '--format', 'csv']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('kind,loss,reduction,run,epoch,value,rows,batches');
    expect(lines[1]).toMatch(/^group,cross-entropy,mean,a,0,[\d.e-]+,40,\d+$/);
    expect(lines.at(-1)).toMatch(/^total,cross-entropy,mean,,,[\d.e-]+,240,\d+$/);
  });

  it('partitioned and unpartitioned files together, or other partition keys, are bad usage naming a file of each when a key is used', async () => {
    // No key used: the KEY=VALUE folders are only folders, and the files are read as any others.
    const plain = await evalJson([hive(), join(dir, 'all.parquet')]);
    expect(plain.rows).toBe(480);
    const mixed = await runCli(['eval', hive(), join(dir, 'all.parquet'), '--by', 'run']);
    expect(mixed.code).toBe(2);
    expect(mixed.stdout).toBe('');
    expect(mixed.stderr).toMatch(
      /mix Hive-partitioned and unpartitioned files: \S+run=a\/epoch=0\/\S+ is under partition folders \(run=…\/epoch=…\) and \S+all\.parquet is not/,
    );
    const other = join(dir, 'by-seed', 'seed=1');
    mkdirSync(other, { recursive: true });
    copyFileSync(join(dir, 'all.parquet'), join(other, 'x.parquet'));
    const keys = await runCli(['eval', hive(), join(dir, 'by-seed'), '--by', 'epoch']);
    expect(keys.code).toBe(2);
    expect(keys.stderr).toMatch(
      /partition keys differ: \S+ has run, epoch and \S+seed=1\/x\.parquet has seed/,
    );
  });

  it('partition keys come from the folders below the folder given, or of a file named directly its resolved path', async () => {
    const exp = join(dir, 'exp', 'lr=0.1');
    mkdirSync(exp, { recursive: true });
    copyFileSync(join(dir, 'run-a.parquet'), join(exp, 'log.parquet'));
    const other = join(dir, 'run-b.parquet');
    // No key used: a file under lr=0.1 and one not are simply read.
    const both = await evalJson([join(exp, 'log.parquet'), other]);
    expect(both.rows).toBe(240);
    // A file named directly has the K=V folders of its path.
    const lr = await evalJson([join(exp, 'log.parquet'), '--by', 'lr']);
    expect(lr.results[0]!.groups!.map((g) => [g.key, g.rows])).toEqual([['0.1', 120]]);
    // '..' through lr=0.1 does not put a file under it.
    const dotdot = await runCli([
      'eval',
      join(exp, 'log.parquet'),
      `${exp}/../../run-b.parquet`,
      '--by',
      'lr',
    ]);
    expect(dotdot.code).toBe(2);
    expect(dotdot.stderr).toMatch(/run-b\.parquet is not, so it has no 'lr'/);
    // Through a folder, only the folders below it count: exp/lr=0.1 read as a folder has no lr.
    const below = await evalJson([join(dir, 'exp'), '--by', 'lr']);
    expect(below.results[0]!.groups!.map((g) => g.key)).toEqual(['0.1']);
    const inside = await runCli(['eval', exp, '--by', 'lr']);
    expect(inside.code).toBe(1);
    expect(inside.stderr).toContain("no column 'lr'");
  });

  it('--per-row writes partition and file keys as columns, typed as the table shows them', async () => {
    const { tableFromIPC } = await import('apache-arrow');
    const out = join(dir, 'per-row-run-epoch.arrows');
    const run = await runCli(['eval', hive(), '--by', 'run,epoch', '--per-row', out, '--format', 'json']);
    expect(run.code).toBe(0);
    const table = tableFromIPC(readFileSync(out));
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'run:Utf8',
      'epoch:Int64',
      'loss:Float32',
    ]);
    expect(table.numRows).toBe(240);
    const runs = table.getChild('run')!.toArray() as string[];
    const epochs = [...(table.getChild('epoch')!.toArray() as BigInt64Array)].map(Number);
    const seen = new Set(runs.map((r, i) => `${r}/${epochs[i]}`));
    expect([...seen]).toEqual(['a', 'b'].flatMap((r) => [0, 2, 10].map((e) => `${r}/${e}`)));
    const files = ['run-a.parquet', 'run-b.parquet'].map((f) => join(dir, f));
    const byFile = join(dir, 'per-row-file.arrows');
    const fileRun = await runCli([
      ...['eval', ...files],
      '--by',
      'file',
      '--per-row',
      byFile,
      '--keys',
      'file,epoch',
    ]);
    expect(fileRun.code).toBe(0);
    const fileTable = tableFromIPC(readFileSync(byFile));
    expect(fileTable.schema.fields.map((f) => f.name)).toEqual(['file', 'epoch', 'loss']);
    expect([...new Set(fileTable.getChild('file')!.toArray() as string[])]).toEqual(files);
  });

  it('a partition key with the name of a column of the data is bad usage naming the clash', async () => {
    // all.parquet has an epoch column; under epoch=7/ the partition key has its name too.
    const clash = join(dir, 'clash', 'epoch=7');
    mkdirSync(clash, { recursive: true });
    copyFileSync(join(dir, 'all.parquet'), join(clash, 'part-0.parquet'));
    const run = await runCli(['eval', join(dir, 'clash'), '--by', 'epoch']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `--by epoch is ambiguous: ${join(clash, 'part-0.parquet')} has a column 'epoch', and the Hive partition key 'epoch'`,
    );
  });

  it.each(['1', '2'])(
    'files that disagree on a column are an error naming both, also when the first is the odd one (--threads %s)',
    async (threads) => {
      const other = join(dir, 'no-target-first.parquet');
      await duck.run(`COPY (SELECT logits, target AS label FROM log) TO '${other}' (FORMAT PARQUET)`);
      const all = join(dir, 'all.parquet');
      const run = await runCli(['eval', other, all, '--target', 'target', '--threads', threads]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`${other} has no column 'target', which ${all} has`);
    },
  );

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
