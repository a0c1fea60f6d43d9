import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile as readBatches, writeParquet } from '@lossflow/arrow/node';
import { Float32, Float64, Int64, makeVector, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../testing/runCli.js';

interface Expected {
  all: { float32: number };
  by_epoch: { key: number; rows: number; float32: number }[];
}
const golden = JSON.parse(readFileSync(join(FIXTURES, 'epoch-log.json'), 'utf8')) as {
  meta: { weight: number[]; label_smoothing: number };
  expected: Record<string, Expected>;
};
const FILES = ['epoch-log.arrows', 'epoch-log.arrow', 'epoch-log.parquet'].map((f) => join(FIXTURES, f));
const TIMEOUT = 60_000;

interface Result {
  loss: string;
  reduction: string;
  options: Record<string, unknown>;
  columns?: Record<string, string>;
  value: number;
  rows: number;
  groups?: { key: number; value: number; rows: number }[];
}

/** The logits are float32, so torch's float32 values are the reference (to a few ulp). */
function expectTorch(result: Result, expected: Expected): void {
  const close = (actual: number, want: number) =>
    expect(Math.abs(actual - want)).toBeLessThanOrEqual(1e-6 + 2e-6 * Math.abs(want));
  close(result.value, expected.all.float32);
  expect(result.groups?.map((g) => [g.key, g.rows])).toEqual(expected.by_epoch.map((g) => [g.key, g.rows]));
  for (const [i, g] of result.groups!.entries()) close(g.value, expected.by_epoch[i]!.float32);
}

async function evalJson(args: string[]): Promise<{ rows: number; results: Result[] }> {
  const run = await runCli(['eval', ...args, '--format', 'json', '--by', 'epoch']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

const CASES: [name: string, args: string[], expected: string][] = [
  ['cross-entropy', ['--loss', 'cross-entropy'], 'cross-entropy'],
  ['cross-entropy --reduction sum', ['--loss', 'cross-entropy', '--reduction', 'sum'], 'cross-entropy-sum'],
  [
    'cross-entropy --weight',
    ['--loss', 'cross-entropy', '--weight', golden.meta.weight.join(',')],
    'cross-entropy-weighted',
  ],
  [
    'cross-entropy --label-smoothing',
    ['--loss', 'cross-entropy', '--label-smoothing', String(golden.meta.label_smoothing)],
    'cross-entropy-label-smoothing',
  ],
  ['mse --input pred --target y', ['--loss', 'mse', '--input', 'pred', '--target', 'y'], 'mse'],
];

// All five cases as one invocation per file: the losses share one pass over the file.
const ALL_CASES = CASES.flatMap(([, args]) => args);
const docs = new Map<string, Promise<{ rows: number; results: Result[] }>>();
function allCases(file: string): Promise<{ rows: number; results: Result[] }> {
  let doc = docs.get(file);
  if (doc === undefined) {
    doc = evalJson([file, ...ALL_CASES]);
    docs.set(file, doc);
  }
  return doc;
}

describe('lossflow eval equals torch on the committed epoch log', () => {
  it.each(CASES)(
    '%s',
    async (_, args, key) => {
      const doc = await evalJson([FILES[0]!, ...args]);
      expect(doc.rows).toBe(148);
      expect(doc.results).toHaveLength(1);
      expectTorch(doc.results[0]!, golden.expected[key]!);
    },
    TIMEOUT,
  );

  it.each(FILES)(
    'all cases on %s',
    async (file) => {
      const doc = await allCases(file);
      expect(doc.rows).toBe(148);
      expect(doc.results.map((r) => r.loss)).toEqual(CASES.map(([, args]) => args[1]));
      for (const [i, [, , key]] of CASES.entries()) expectTorch(doc.results[i]!, golden.expected[key]!);
    },
    TIMEOUT,
  );

  it(
    'gives the same numbers for the Arrow stream, the Arrow file and Parquet',
    async () => {
      // The documents differ only in the files they name.
      const [stream, file, parquet] = (await Promise.all(FILES.map(allCases))).map(({ rows, results }) => ({
        rows,
        results,
      }));
      expect(file).toEqual(stream);
      expect(parquet).toEqual(stream);
    },
    TIMEOUT,
  );

  it(
    'computes several losses in one pass, each as it would alone, and reports them in the documented shape',
    async () => {
      const doc = await evalJson([
        FILES[0]!,
        '--loss',
        'cross-entropy',
        '--loss',
        'cross-entropy',
        '--label-smoothing',
        String(golden.meta.label_smoothing),
        '--loss',
        'mse',
        '--input',
        'pred',
        '--target',
        'y',
      ]);
      expect(doc.results.map((r) => [r.loss, r.reduction, r.options])).toEqual([
        ['cross-entropy', 'mean', {}],
        ['cross-entropy', 'mean', { labelSmoothing: 0.1 }],
        ['mse', 'mean', {}],
      ]);
      expectTorch(doc.results[0]!, golden.expected['cross-entropy']!);
      expectTorch(doc.results[1]!, golden.expected['cross-entropy-label-smoothing']!);
      expectTorch(doc.results[2]!, golden.expected.mse!);
      expect(Object.keys(doc.results[0]!)).toEqual([
        'loss',
        'reduction',
        'options',
        'columns',
        'value',
        'rows',
        'groups',
      ]);
      expect(doc.results.map((r) => r.columns)).toEqual([
        { input: 'logits', target: 'target' },
        { input: 'logits', target: 'target' },
        { input: 'pred', target: 'y' },
      ]);
    },
    TIMEOUT,
  );

  it(
    'treats several files as one stream',
    async () => {
      const one = await evalJson([FILES[0]!]);
      const two = await evalJson([FILES[0]!, FILES[2]!]);
      expect(two.rows).toBe(296);
      // The same epochs twice: each epoch's mean is unchanged and its rows double.
      expect(two.results[0]!.groups!.map((g) => g.rows)).toEqual(
        one.results[0]!.groups!.map((g) => 2 * g.rows),
      );
      for (const [i, g] of two.results[0]!.groups!.entries()) {
        expect(g.value).toBeCloseTo(one.results[0]!.groups![i]!.value, 12);
      }
    },
    TIMEOUT,
  );
});

describe('lossflow eval output formats', () => {
  it(
    'prints a table for people, with a row per epoch and a total',
    async () => {
      const run = await runCli(['eval', FILES[0]!, '--by', 'epoch']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe('cross-entropy (mean)');
      expect(run.stdout).toMatch(/^epoch\s+rows\s+cross-entropy$/m);
      // One number of decimals down the column: 7 significant digits of its smallest value.
      expect(run.stdout).toMatch(/^0\s+37\s+1\.6910387$/m);
      expect(run.stdout).toMatch(/^total\s+148\s+0\.839847\d$/m);
      expect(run.stdout).not.toContain('\u001b[');
    },
    TIMEOUT,
  );

  it(
    'streams csv and ndjson lines per epoch, then the total; --every adds running lines',
    async () => {
      const csv = await runCli(['eval', FILES[0]!, '--by', 'epoch', '--format', 'csv']);
      expect(csv.code).toBe(0);
      const rows = csv.stdout.trim().split('\n');
      expect(rows[0]).toBe('kind,loss,reduction,key,value,rows,batches');
      expect(rows.slice(1).map((r) => r.split(',').slice(0, 4).join(','))).toEqual([
        'group,cross-entropy,mean,0',
        'group,cross-entropy,mean,1',
        'group,cross-entropy,mean,2',
        'group,cross-entropy,mean,3',
        'total,cross-entropy,mean,',
      ]);
      const ndjson = await runCli(['eval', FILES[0]!, '--by', 'epoch', '--format', 'ndjson', '--every', '4']);
      expect(ndjson.code).toBe(0);
      const records = ndjson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const running = records.filter((r) => r.kind === 'running');
      // 10 batches: running values after batches 4 and 8.
      expect([...new Set(running.map((r) => r.batches))]).toEqual([4, 8]);
      expect(running.filter((r) => r.key === null).map((r) => r.rows)).toEqual([64, 128]);
      const finals = records.filter((r) => r.kind !== 'running');
      expect(finals.map((r) => r.key)).toEqual([0, 1, 2, 3, null]);
      const csvValues = rows.slice(1).map((r) => Number(r.split(',')[4]));
      expect(finals.map((r) => r.value)).toEqual(csvValues);
      expect(finals.at(-1).value).toBeCloseTo(golden.expected['cross-entropy']!.all.float32, 6);
    },
    TIMEOUT,
  );

  it(
    'writes per-row losses next to their key columns',
    async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'lossflow-e2e-')), 'losses.arrows');
      const run = await runCli([
        'eval',
        FILES[1]!,
        '--per-row',
        out,
        '--keys',
        'epoch,step',
        '--format',
        'json',
      ]);
      expect(run.code).toBe(0);
      const value = JSON.parse(run.stdout).results[0].value as number;
      let rows = 0;
      let sum = 0;
      let counted = 0;
      const targets = JSON.parse(readFileSync(join(FIXTURES, 'epoch-log.json'), 'utf8')).columns
        .target as number[];
      for await (const batch of readBatches(out)) {
        expect(batch.schema.fields.map((f) => f.name)).toEqual(['epoch', 'step', 'loss']);
        const loss = batch.getChild('loss')!.toArray() as Float32Array;
        for (let i = 0; i < batch.numRows; i++) {
          if (targets[rows + i] !== -100) {
            sum += loss[i]!;
            counted++;
          }
        }
        rows += batch.numRows;
      }
      expect(rows).toBe(148);
      expect(sum / counted).toBeCloseTo(value, 5);
    },
    TIMEOUT,
  );
});

describe('lossflow eval failures', () => {
  it.each(FILES)(
    'a truncated copy of %s exits 1 with a clear message and prints no result',
    async (file) => {
      const bytes = readFileSync(file);
      const cut = join(mkdtempSync(join(tmpdir(), 'lossflow-e2e-')), `cut-${file.split('/').at(-1)}`);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      for (const format of file === FILES[0] ? ['json', 'table', 'csv'] : ['json']) {
        const run = await runCli(['eval', cut, '--by', 'epoch', '--format', format]);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(cut);
        expect(run.stderr).toMatch(/TRUNCATED|CORRUPT/);
        expect(run.stderr).toContain('No result was written.');
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
      }
    },
    TIMEOUT,
  );

  it.each([['1'], ['2']])(
    'a stream without its end-of-stream marker exits 1 naming --allow-missing-end-of-stream, and reads with it (--threads %s)',
    async (threads) => {
      const bytes = readFileSync(FILES[0]!);
      const cut = join(mkdtempSync(join(tmpdir(), 'lossflow-e2e-')), 'no-marker.arrows');
      writeFileSync(cut, bytes.subarray(0, bytes.length - 8));
      const args = [...ALL_CASES, '--format', 'json', '--by', 'epoch', '--threads', threads];
      const refused = await runCli(['eval', cut, ...args]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/without the end-of-stream marker \[TRUNCATED\]/);
      expect(refused.stderr).toContain('--allow-missing-end-of-stream');
      expect(refused.stderr).not.toContain('allowMissingEndOfStream');
      const read = await runCli(['eval', cut, ...args, '--allow-missing-end-of-stream']);
      expect(read.stderr).toBe('');
      expect(read.code).toBe(0);
      const { rows, results } = await allCases(FILES[0]!);
      expect(JSON.parse(read.stdout)).toMatchObject({ rows, results });
    },
    TIMEOUT,
  );

  it(
    "speaks of columns, flags and the CLI's loss and metric names, not the libraries' arrays and functions",
    async () => {
      const floats = await runCli(['eval', FILES[0]!, '--loss', 'mse', '--input', 'epoch', '--target', 'y']);
      expect(floats.code).toBe(1);
      expect(floats.stderr).toContain("cannot compute mse (file '");
      expect(floats.stderr).toContain(
        "column 'epoch'): expected floating-point values, got Int32 [INVALID_DTYPE]. Give a float32 or float64 column (cast it where the log is written).",
      );
      const classes = await runCli([
        'eval',
        FILES[0]!,
        '--metric',
        'confusion-matrix',
        '--input',
        'logits',
        '--target',
        'y',
        '--threads',
        '2',
      ]);
      expect(classes.code).toBe(1);
      expect(classes.stderr).toContain('cannot compute confusion-matrix (file ');
      expect(classes.stderr).toContain(
        '[INVALID_DTYPE]. Give an int32 or int64 column (cast it where the log is written).',
      );
      for (const run of [floats, classes]) {
        expect(run.stdout).toBe('');
        expect(run.stderr).not.toMatch(/Array|confusionMatrix|mseLoss/);
      }
    },
    TIMEOUT,
  );

  it(
    'a missing column exits 1 listing the columns',
    async () => {
      const run = await runCli([
        'eval',
        FILES[0]!,
        '--loss',
        'mse',
        '--input',
        'prediction_score',
        '--target',
        'y',
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('prediction_score');
      expect(run.stderr).toContain(`file '${FILES[0]}'`);
      for (const column of ['epoch', 'step', 'logits', 'target', 'pred', 'y'])
        expect(run.stderr).toContain(column);
    },
    TIMEOUT,
  );

  it(
    'a class index out of range exits 1 naming the file, batch and row',
    async () => {
      // A copy: the same file twice is bad usage.
      const copy = join(mkdtempSync(join(tmpdir(), 'lossflow-e2e-')), 'copy.arrows');
      copyFileSync(FILES[0]!, copy);
      const run = await runCli([
        'eval',
        FILES[0]!,
        copy,
        '--loss',
        'cross-entropy',
        '--input',
        'logits',
        '--target',
        'step',
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /cannot compute cross-entropy \(file '.*epoch-log\.arrows', batch 0, row \d+/,
      );
    },
    TIMEOUT,
  );

  it.each([
    [['--wieght', '1,2'], /unknown flag --wieght .*Did you mean --weight\?/],
    [['--loss', 'cross-entropi'], /unknown loss 'cross-entropi'.*Did you mean cross-entropy\?/],
    [['--loss', 'mse', '--label-smoothing', '0.1'], /--label-smoothing is not an option of mse/],
    [['--format', 'yaml'], /--format takes one of table, json, csv, ndjson/],
  ])(
    'bad usage %j exits 2 with a helpful message',
    async (args, message) => {
      const run = await runCli(['eval', FILES[0]!, ...args]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain("Run 'lossflow eval --help' for usage.");
    },
    TIMEOUT,
  );

  it(
    'plots the report against the step column with any thread count, and rejects a missing --step',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-report-'));
      const pages: string[] = [];
      for (const threads of ['1', '2']) {
        const report = join(dir, `report-${threads}.html`);
        const run = await runCli([
          'eval',
          FILES[0]!,
          '--by',
          'epoch',
          '--report',
          report,
          '--threads',
          threads,
        ]);
        expect(run.code).toBe(0);
        // The chart and the values table (the rest names the command and its timing).
        const html = readFileSync(report, 'utf8');
        const chart = /<svg class="chart"[\s\S]*?<\/svg>/.exec(html)?.[0];
        const values = /<table class="values"[\s\S]*?<\/table>/.exec(html)?.[0];
        expect(chart).toBeDefined();
        expect(values).toBeDefined();
        pages.push(`${chart}${values}`);
      }
      expect(pages[1]).toBe(pages[0]);
      expect(pages[0]).toContain('>step</text>');
      const missing = await runCli([
        'eval',
        FILES[0]!,
        '--report',
        join(dir, 'r.html'),
        '--step',
        'iteration',
      ]);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toMatch(/the step column 'iteration' is not in the data/);
    },
    TIMEOUT,
  );

  it(
    'a report in a folder that does not exist is bad usage, found before anything is read',
    async () => {
      const run = await runCli([
        'eval',
        FILES[0]!,
        '--report',
        '/nonexistent/dir/report.html',
        '--format',
        'json',
      ]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        "--report /nonexistent/dir/report.html is in a folder that does not exist ('/nonexistent/dir')",
      );
    },
    TIMEOUT,
  );

  it.each(['1', '2'])(
    'two files with 3 and 5 classes are SHAPE_CHANGED naming both files, never a value (--threads %s)',
    async (threads) => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-shapes-'));
      const three = join(dir, 'three.arrows');
      const five = join(dir, 'five.arrows');
      for (const [out, classes] of [
        [three, '3'],
        [five, '5'],
      ] as const) {
        const made = await runCli([
          'generate',
          '--out',
          out,
          '--rows',
          '300',
          '--epochs',
          '1',
          '--classes',
          classes,
          '-q',
        ]);
        expect(made.code).toBe(0);
      }
      const run = await runCli(['eval', three, five, '--threads', threads, '--format', 'json']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`file '${five}', batch 0, column 'logits'`);
      expect(run.stderr).toContain(`the earlier shape from file '${three}', batch 0`);
      expect(run.stderr).toContain('have shape [5] but [3] in the batches before [SHAPE_CHANGED]');
    },
    TIMEOUT,
  );

  it.each(['1', '2'])(
    'float32 logits in one file and float64 in the next are DTYPE_CHANGED naming both files (--threads %s)',
    async (threads) => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-dtypes-'));
      const paths: string[] = [];
      for (const [name, type] of [
        ['f32.arrows', new Float32()],
        ['f64.arrows', new Float64()],
      ] as const) {
        // Six rows of one float column `pred` and one `y` (MSE): same shape, different float types.
        const values = [0.5, 1.5, -2, 3, 0.25, 7];
        const table = new Table({
          pred: vectorFromArray(values, type),
          y: vectorFromArray(
            values.map((v) => v + 1),
            type,
          ),
          id: makeVector(BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n])),
        });
        expect(table.getChild('id')!.type).toBeInstanceOf(Int64);
        const path = join(dir, name);
        writeFileSync(path, tableToIPC(table, 'stream'));
        paths.push(path);
      }
      const run = await runCli(['eval', ...paths, '--loss', 'mse', '--threads', threads, '--format', 'json']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`file '${paths[1]}', batch 0, column 'pred'`);
      expect(run.stderr).toContain(`the earlier type from file '${paths[0]}', batch 0`);
      expect(run.stderr).toContain('are float64 but float32 in the batches before [DTYPE_CHANGED]');
    },
    TIMEOUT,
  );

  it(
    'a file that does not exist exits 1 naming it',
    async () => {
      const run = await runCli(['eval', '/nonexistent/log.arrow']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("cannot use '/nonexistent/log.arrow': no such file or directory");
    },
    TIMEOUT,
  );

  it.each(['arrows', 'parquet'])(
    'a null target in an .%s file names the --nulls skip flag, not the library option',
    async (ext) => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-nulls-'));
      const table = new Table({
        pred: vectorFromArray([0.1, 0.7, 0.3, 0.9], new Float32()),
        y: vectorFromArray([0, 1, null, 1], new Float32()),
      });
      const path = join(dir, `log.${ext}`);
      if (ext === 'parquet') await writeParquet(path, table.batches);
      else writeFileSync(path, tableToIPC(table, 'stream'));
      const run = await runCli(['eval', path, '--loss', 'mse', '--input', 'pred', '--target', 'y']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain("column 'y'");
      expect(run.stderr).toContain('[NULL_VALUE]');
      expect(run.stderr).toContain('--nulls skip');
      expect(run.stderr).not.toContain("nulls: 'skip'");
      const skipped = await runCli([
        'eval',
        path,
        '--loss',
        'mse',
        '--input',
        'pred',
        '--target',
        'y',
        '--nulls',
        'skip',
      ]);
      expect(skipped.code).toBe(0);
    },
    TIMEOUT,
  );
});
