/**
 * The shipped binary's outputs (issue 11, items 4, 5 and 10): a failed write of stdout, --report,
 * --per-row or generate --out is exit 1 naming what and why; an output path that is an input or a
 * directory is bad usage found before reading; a failed run leaves every file as it was; and
 * non-finite values and keys stay distinguishable in JSON, NDJSON and CSV.
 *
 * "Disk full" is /dev/full. A `--per-row` or `--out` aimed at it goes through a symbolic link in a
 * temporary folder, so that code which removes its output after a failure removes the link, never
 * the device.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float32, Float64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli } from '../testing/runCli.js';

const LOG = join(FIXTURES, 'epoch-log.arrows');
const TIMEOUT = 60_000;
const ENOSPC = 'no space left on device (ENOSPC)';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'lossflow-outputs-'));
}

/** Runs the binary with standard output redirected to /dev/full (`> /dev/full`). */
async function intoFullDisk(args: string[]) {
  const fd = openSync('/dev/full', 'w');
  try {
    return await runCli(args, {}, { stdout: fd });
  } finally {
    closeSync(fd);
  }
}

/** Files a run left in `dir` that it did not make on purpose (temporary files). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes('lossflow-tmp'));
}

describe('lossflow eval: output that could not be written', () => {
  it.each(['json', 'csv', 'table', 'ndjson'])(
    'exits 1 naming standard output when the results go to a full disk (--format %s)',
    async (format) => {
      const run = await intoFullDisk(['eval', LOG, '--by', 'epoch', '--format', format]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `lossflow eval: cannot write the results to standard output: ${ENOSPC}. Free some space or write elsewhere. The output is incomplete.\n`,
      );
    },
    TIMEOUT,
  );

  it(
    'leaves an existing report as it was when the results cannot be printed',
    async () => {
      const dir = folder();
      const report = join(dir, 'report.html');
      writeFileSync(report, 'old report');
      const run = await intoFullDisk(['eval', LOG, '--by', 'epoch', '--report', report, '--format', 'json']);
      expect(run.code).toBe(1);
      expect(readFileSync(report, 'utf8')).toBe('old report');
      expect(leftovers(dir)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'stops a run streaming --every lines into a full disk with the message, not a stack trace',
    async () => {
      const run = await intoFullDisk(['eval', LOG, '--by', 'epoch', '--format', 'csv', '--every', '1']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot write the results to standard output: ${ENOSPC}`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
    TIMEOUT,
  );

  it(
    'exits 1 naming the report when --report cannot be written',
    async () => {
      const run = await runCli(['eval', LOG, '--report', '/dev/full', '--format', 'json']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`lossflow eval: cannot write the report to '/dev/full': ${ENOSPC}.`);
    },
    TIMEOUT,
  );

  it(
    'exits 1 naming the per-row file when it cannot be written, and leaves the destination in place',
    async () => {
      const dir = folder();
      const full = join(dir, 'full.arrows');
      symlinkSync('/dev/full', full);
      const run = await runCli(['eval', LOG, '--per-row', full, '--format', 'json']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`cannot write the per-row losses to '${full}': ${ENOSPC}.`);
      expect(lstatSync(full).isSymbolicLink()).toBe(true);
      expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'ends quietly with 141, as Unix tools do, when the reader closes the pipe (| head -1)',
    async () => {
      const dir = folder();
      const log = join(dir, 'long.arrows');
      // Thousands of batches: far more --every lines than a pipe holds, so writes meet the closed pipe.
      const made = await runCli([
        'generate',
        '--out',
        log,
        '--rows',
        '20000',
        '--epochs',
        '2',
        '--classes',
        '3',
        '--batch-rows',
        '8',
        '-q',
      ]);
      expect(made.code).toBe(0);
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          'bash',
          [
            '-c',
            `set -o pipefail; "${process.execPath}" "${BIN}" eval "${log}" --by epoch --format csv --every 1 | head -1`,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(result.stdout).toBe('kind,loss,reduction,key,value,rows,batches\n');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(141);
    },
    TIMEOUT,
  );

  it(
    'exits 1 naming the training log when generate --out cannot be written',
    async () => {
      const dir = folder();
      const full = join(dir, 'log.arrows');
      symlinkSync('/dev/full', full);
      const run = await runCli([
        'generate',
        '--out',
        full,
        '--rows',
        '100',
        '--epochs',
        '1',
        '--classes',
        '3',
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `lossflow generate: cannot write the training log to '${full}': ${ENOSPC}.`,
      );
      expect(lstatSync(full).isSymbolicLink()).toBe(true);
    },
    TIMEOUT,
  );
});

describe('a lossflow killed while writing (SIGKILL runs no clean-up)', () => {
  it(
    'leaves a recognisable temporary file, which the next run writing the same output removes',
    async () => {
      const dir = folder();
      const out = join(dir, 'log.arrows');
      writeFileSync(join(dir, 'other.txt'), 'not ours');
      // Big enough to be still writing when killed: 20 epochs of 200,000 rows of 100 classes.
      const child = spawn(
        process.execPath,
        [BIN, 'generate', '--rows', '200000', '--epochs', '20', '--out', out, '-q'],
        { stdio: 'ignore' },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_, signal) => resolve(signal)),
      );
      // Killed once its temporary file holds data, by its process id.
      for (;;) {
        const temp = leftovers(dir)[0];
        if (temp !== undefined && lstatSync(join(dir, temp)).size > 1 << 20) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      process.kill(child.pid!, 'SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const left = leftovers(dir);
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(
        new RegExp(`^\\.log\\.arrows\\.${child.pid}-[a-z0-9]+\\.[A-Za-z0-9-]+\\.lossflow-tmp$`),
      );
      expect(existsSync(out)).toBe(false);

      const again = await runCli(['generate', '--rows', '100', '--epochs', '1', '--out', out, '-q']);
      expect(again.code).toBe(0);
      expect(leftovers(dir)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(['log.arrows', 'other.txt']);
    },
    TIMEOUT,
  );
});

describe('lossflow eval: output files never lose user data', () => {
  it(
    'leaves an existing --per-row file as it was after a typo in the input path',
    async () => {
      const dir = folder();
      const out = join(dir, 'losses.arrows');
      writeFileSync(out, 'precious');
      const run = await runCli(['eval', join(dir, 'no-such-log.arrows'), '--per-row', out]);
      expect(run.code).toBe(1);
      expect(readFileSync(out, 'utf8')).toBe('precious');
      expect(leftovers(dir)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'leaves existing --per-row and --report files as they were after a failure while reading',
    async () => {
      const dir = folder();
      const out = join(dir, 'losses.arrows');
      const report = join(dir, 'report.html');
      writeFileSync(out, 'precious');
      writeFileSync(report, 'old report');
      const run = await runCli(['eval', LOG, '--per-row', out, '--report', report, '--by', 'no-such-column']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Pass --by one of the available columns');
      expect(readFileSync(out, 'utf8')).toBe('precious');
      expect(readFileSync(report, 'utf8')).toBe('old report');
      expect(leftovers(dir)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'replaces existing output files on success, keeping their permissions, with no temporary file left',
    async () => {
      const dir = folder();
      const out = join(dir, 'losses.arrows');
      const report = join(dir, 'report.html');
      writeFileSync(out, 'old', { mode: 0o640 });
      writeFileSync(report, 'old report');
      const run = await runCli(['eval', LOG, '--per-row', out, '--report', report, '--format', 'json']);
      expect(run.code).toBe(0);
      expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/);
      expect(readFileSync(out).subarray(0, 4)).not.toEqual(Buffer.from('old'));
      expect(lstatSync(out).mode & 0o777).toBe(0o640);
      expect(leftovers(dir)).toEqual([]);
    },
    TIMEOUT,
  );

  it.each([
    ['the same path', (_dir: string, log: string) => log],
    ['a ./ spelling', (dir: string) => join(dir, '.', 'sub', '..', 'log.arrows')],
    [
      'a symbolic link',
      (dir: string, log: string) => {
        symlinkSync(log, join(dir, 'link.arrows'));
        return join(dir, 'link.arrows');
      },
    ],
    [
      'a hard link',
      (dir: string, log: string) => {
        linkSync(log, join(dir, 'hard.arrows'));
        return join(dir, 'hard.arrows');
      },
    ],
  ])(
    'refuses an output that is an input (%s) with exit 2 before reading, for --per-row and --report',
    async (_, spell) => {
      for (const flag of ['--per-row', '--report']) {
        const dir = folder();
        mkdirSync(join(dir, 'sub'));
        const log = join(dir, 'log.arrows');
        copyFileSync(LOG, log);
        const out = spell(dir, log);
        for (const extra of [[], ['--allow-missing-end-of-stream']]) {
          const run = await runCli(['eval', log, flag, out, ...extra]);
          expect(run.code).toBe(2);
          expect(run.stderr).toContain(`${flag} ${out} is the input file '${log}'`);
          expect(readFileSync(log)).toEqual(readFileSync(LOG));
        }
      }
    },
    TIMEOUT,
  );

  it(
    'refuses --per-row DIR and --report DIR with exit 2 and no stack trace',
    async () => {
      const dir = folder();
      for (const flag of ['--per-row', '--report']) {
        const run = await runCli(['eval', LOG, flag, dir]);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`${flag} ${dir} is a directory; give a file path`);
        expect(run.stderr).not.toContain('ERR_FS_EISDIR');
      }
    },
    TIMEOUT,
  );

  it(
    'refuses --report and --per-row naming one file, and a file in a folder that does not exist',
    async () => {
      const dir = folder();
      const same = await runCli(['eval', LOG, '--per-row', join(dir, 'a'), '--report', join(dir, '.', 'a')]);
      expect(same.code).toBe(2);
      expect(same.stderr).toContain('is also the path of --report');
      const discarded = await runCli(['eval', LOG, '--per-row', '/dev/null', '--report', '/dev/null']);
      expect(discarded.code).toBe(0);
      expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
      const missing = await runCli(['eval', LOG, '--report', join(dir, 'nope', 'r.html')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('is in a folder that does not exist');
      expect(readdirSync(dir)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'refuses generate --out DIR with exit 2',
    async () => {
      const dir = folder();
      const run = await runCli(['generate', '--out', dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--out ${dir} is a directory`);
    },
    TIMEOUT,
  );

  it(
    'demo --out DIR never overwrites or deletes a training-log.arrows it did not write',
    async () => {
      const dir = folder();
      const mine = join(dir, 'training-log.arrows');
      writeFileSync(mine, 'precious');
      const run = await runCli([
        'demo',
        '--out',
        dir,
        '--rows',
        '500',
        '--epochs',
        '2',
        '--classes',
        '3',
        '-q',
        '--format',
        'json',
      ]);
      expect(run.code).toBe(0);
      expect(readFileSync(mine, 'utf8')).toBe('precious');
      expect(existsSync(join(dir, 'report.html'))).toBe(true);
      const dirReport = await runCli([
        'demo',
        '--report',
        dir,
        '--rows',
        '500',
        '--epochs',
        '1',
        '--classes',
        '3',
      ]);
      expect(dirReport.code).toBe(2);
      expect(dirReport.stderr).toContain(`--report ${dir} is a directory`);
    },
    TIMEOUT,
  );
});

describe('lossflow eval: a loss or metric named twice in CSV and NDJSON', () => {
  const args = (format: string) => [
    'eval',
    LOG,
    '--loss',
    'cross-entropy',
    '--loss',
    'cross-entropy',
    '--label-smoothing',
    '0.1',
    '--metric',
    'top-k-accuracy',
    '--k',
    '2',
    '--metric',
    'top-k-accuracy',
    '--k',
    '3',
    '--every',
    '5',
    '--format',
    format,
  ];

  it(
    'labels each line with its options, running lines too',
    async () => {
      const csv = await runCli(args('csv'));
      expect(csv.code, csv.stderr).toBe(0);
      const lines = csv.stdout.trim().split('\n');
      expect(lines[0]).toBe('kind,loss,reduction,options,key,value,rows,batches');
      const totals = lines
        .filter((l) => l.startsWith('total,'))
        .map((l) => l.split(',').slice(1, 4).join(','));
      expect(totals).toEqual([
        'cross-entropy,mean,defaults',
        'cross-entropy,mean,label-smoothing=0.1',
        'top-k-accuracy,metric,k=2',
        'top-k-accuracy,metric,k=3',
      ]);
      const running = lines.filter((l) => l.startsWith('running,'));
      expect(running.length).toBeGreaterThan(0);
      expect(new Set(running.map((l) => l.split(',')[3]))).toEqual(
        new Set(['defaults', 'label-smoothing=0.1', 'k=2', 'k=3']),
      );

      const ndjson = await runCli(args('ndjson'));
      expect(ndjson.code, ndjson.stderr).toBe(0);
      const records = ndjson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; loss: string; options?: string; value: number });
      const byLabel = new Map(
        records.filter((r) => r.kind === 'total').map((r) => [`${r.loss} ${r.options}`, r.value]),
      );
      expect([...byLabel.keys()]).toEqual([
        'cross-entropy defaults',
        'cross-entropy label-smoothing=0.1',
        'top-k-accuracy k=2',
        'top-k-accuracy k=3',
      ]);
      // The labels are right, not just distinct: top-2 accuracy is at most top-3 accuracy.
      expect(byLabel.get('top-k-accuracy k=2')!).toBeLessThan(byLabel.get('top-k-accuracy k=3')!);
      expect(records.every((r) => r.options !== undefined)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'keeps the columns of a run without repeated names',
    async () => {
      const run = await runCli(['eval', LOG, '--metric', 'top-k-accuracy', '--k', '2', '--format', 'csv']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.split('\n')[0]).toBe('kind,loss,reduction,key,value,rows,batches');
    },
    TIMEOUT,
  );
});

describe('lossflow eval: non-finite values and keys', () => {
  /** An mse log whose groups are keyed NaN, Infinity, -Infinity and 1; group Infinity's prediction is inf. */
  function nonFiniteLog(): string {
    const path = join(folder(), 'inf.arrows');
    const table = new Table({
      g: vectorFromArray(
        [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 1],
        new Float64(),
      ),
      pred: vectorFromArray([Number.NaN, Number.POSITIVE_INFINITY, 1, 2, 4], new Float32()),
      y: vectorFromArray([0, 0, 0, 0, 0], new Float32()),
      name: vectorFromArray(['a', 'b', 'c', 'd', 'e'], new Utf8()),
    });
    writeFileSync(path, tableToIPC(table, 'stream'));
    return path;
  }
  const args = (log: string, format: string) => [
    'eval',
    log,
    '--loss',
    'mse',
    '--input',
    'pred',
    '--target',
    'y',
    '--by',
    'g',
    '--format',
    format,
  ];

  it(
    'writes torch’s inf and nan as "Infinity" and "NaN" in JSON, values and keys alike',
    async () => {
      const run = await runCli(args(nonFiniteLog(), 'json'));
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout).results[0];
      // torch: mse over [nan, inf, 1, 2, 4] against 0 is nan; the Infinity group's mean is inf.
      expect(result.value).toBe('NaN');
      expect(result.groups).toEqual([
        { key: 'NaN', value: 'NaN', rows: 1 },
        { key: 'Infinity', value: 'Infinity', rows: 1 },
        { key: '-Infinity', value: 1, rows: 1 },
        { key: 1, value: 10, rows: 2 },
      ]);
    },
    TIMEOUT,
  );

  it(
    'writes the same words in NDJSON and CSV',
    async () => {
      const log = nonFiniteLog();
      const ndjson = await runCli(args(log, 'ndjson'));
      expect(ndjson.code).toBe(0);
      const records = ndjson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records.map((r) => [r.key, r.value])).toEqual([
        ['NaN', 'NaN'],
        ['Infinity', 'Infinity'],
        ['-Infinity', 1],
        [1, 10],
        [null, 'NaN'],
      ]);
      const csv = await runCli(args(log, 'csv'));
      expect(csv.code).toBe(0);
      expect(
        csv.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',').slice(3, 5).join(',')),
      ).toEqual(['NaN,NaN', 'Infinity,Infinity', '-Infinity,1', '1,10', ',NaN']);
    },
    TIMEOUT,
  );
});

describe('lossflow eval: very many --by groups', () => {
  it(
    'keeps every group in the output, notes once on stderr past 10,000, and bounds the report',
    async () => {
      const dir = folder();
      const log = join(dir, 'keys.arrows');
      const n = 10_001;
      const keys = Array.from({ length: n }, (_, i) => i);
      const table = new Table({
        user: vectorFromArray(keys, new Float64()),
        pred: vectorFromArray(
          keys.map((k) => k % 3),
          new Float32(),
        ),
        y: vectorFromArray(
          keys.map(() => 0),
          new Float32(),
        ),
      });
      writeFileSync(log, tableToIPC(table, 'stream'));
      const report = join(dir, 'r.html');
      const run = await runCli([
        'eval',
        log,
        '--loss',
        'mse',
        '--input',
        'pred',
        '--target',
        'y',
        '--by',
        'user',
        '--format',
        'json',
        '--report',
        report,
        '-q',
      ]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).results[0].groups).toHaveLength(n);
      const withNote = await runCli([
        'eval',
        log,
        '--loss',
        'mse',
        '--input',
        'pred',
        '--target',
        'y',
        '--by',
        'user',
        '--format',
        'csv',
      ]);
      expect(withNote.code).toBe(0);
      expect(withNote.stderr.match(/more than 10,000 groups/g)).toHaveLength(1);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain('Showing 50 of 10,001 groups');
      expect(html).toContain('Showing 1,000 of 10,001 groups');
      // 50 lines in each of the two charts (the loss per batch and the running loss).
      expect(html.match(/<path class="series"/g)).toHaveLength(100);
    },
    TIMEOUT,
  );
});
