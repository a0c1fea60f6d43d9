/**
 * `lossflow eval --metric NAME [options]`: metrics mixed with --loss in one pass, in every output
 * format, equal to @lossflow/core's metrics over the same rows; bad metric flags are usage errors.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accuracy,
  aurocErrorBound,
  aurocPartial,
  brierScore,
  confusionMatrix,
  f1,
  finalizeMetric,
  pearson,
  r2,
  tensor,
  topKAccuracy,
} from '@lossflow/core';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../testing/runCli.js';

const TIMEOUT = 60_000;
const log = JSON.parse(readFileSync(join(FIXTURES, 'epoch-log.json'), 'utf8')) as {
  meta: { classes: number };
  columns: { epoch: number[]; logits: number[]; target: number[] };
};
const C = log.meta.classes;

function rows(epoch?: number) {
  const keep = log.columns.epoch
    .map((e, i) => (epoch === undefined || e === epoch ? i : -1))
    .filter((i) => i >= 0);
  return {
    x: tensor(Float32Array.from(keep.flatMap((i) => log.columns.logits.slice(i * C, (i + 1) * C))), [
      keep.length,
      C,
    ]),
    y: Int32Array.from(keep.map((i) => log.columns.target[i]!)),
  };
}

const ARGS = [
  'eval',
  join(FIXTURES, 'epoch-log.arrows'),
  '--input',
  'logits',
  '--target',
  'target',
  '--loss',
  'cross-entropy',
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
  '--by',
  'epoch',
];

describe('lossflow eval --metric', () => {
  it(
    'JSON: the losses as before and a metrics array equal to the core metrics, per epoch too',
    async () => {
      const run = await runCli([...ARGS, '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as {
        results: { loss: string }[];
        metrics: {
          metric: string;
          options: object;
          columns: object;
          value: unknown;
          rows: number;
          groups: { key: number; value: unknown }[];
        }[];
      };
      expect(doc.results.map((r) => r.loss)).toEqual(['cross-entropy']);
      expect(doc.metrics.map((m) => [m.metric, m.options])).toEqual([
        ['accuracy', {}],
        ['top-k-accuracy', { k: 2 }],
        ['f1', { average: 'none' }],
        ['confusion-matrix', {}],
      ]);
      // The columns each metric read, detected as the losses' are.
      for (const m of doc.metrics) expect(m.columns).toEqual({ input: 'logits', target: 'target' });
      const all = rows();
      const [acc, top, f, cm] = doc.metrics;
      expect(acc!.value).toBe(accuracy(all.x, all.y));
      expect(top!.value).toBe(topKAccuracy(all.x, all.y, { k: 2 }));
      expect(f!.value).toEqual(f1(all.x, all.y, { average: 'none' }));
      expect(cm!.value).toEqual(confusionMatrix(all.x, all.y));
      for (const g of acc!.groups) {
        const e = rows(g.key);
        expect(g.value).toBe(accuracy(e.x, e.y));
      }
    },
    TIMEOUT,
  );

  it(
    'CSV: metric records after the losses, reduction "metric", per-class values as JSON text',
    async () => {
      const run = await runCli([...ARGS, '--format', 'csv']);
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toBe('kind,loss,reduction,key,value,rows,batches');
      const all = rows();
      expect(lines).toContain(`total,accuracy,metric,,${accuracy(all.x, all.y)},148,10`);
      expect(lines.some((l) => l.startsWith('total,f1,metric,,"[') && l.endsWith(']",148,10'))).toBe(true);
      expect(lines.filter((l) => l.startsWith('group,accuracy,metric,'))).toHaveLength(4);
      // A group line's batches are the batches that held the group's rows, for a metric as for a loss.
      const groupTail = (name: string) =>
        lines
          .filter((l) => l.startsWith(`group,${name},`))
          .map((l) => {
            const cells = l.split(',');
            return `${cells[3]}:${cells.at(-2)}:${cells.at(-1)}`;
          });
      expect(groupTail('accuracy')).toEqual(groupTail('cross-entropy'));
      expect(groupTail('accuracy').some((t) => !t.endsWith(':10'))).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'table: scalar metrics as columns beside the loss, per-class values and the matrix below',
    async () => {
      const run = await runCli([...ARGS, '--format', 'table']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^epoch\s+rows\s+cross-entropy\s+accuracy\s+top-k-accuracy$/m);
      // Per-class values per group, then over all rows; the matrix over all rows says where the groups' are.
      expect(run.stdout).toMatch(/^f1 \(per class\)\n {2}epoch 0 {2}\[.*\n {2}epoch 1 {2}\[/m);
      expect(run.stdout).toMatch(/^ {2}all {6}\[/m);
      expect(run.stdout).toContain('confusion-matrix (rows: true class, columns: predicted)');
      expect(run.stdout).toContain(
        "(all rows; each epoch's matrix: --format json, or the --report heat map)",
      );
    },
    TIMEOUT,
  );

  it(
    'auroc: JSON has errorBound beside value (total and per group), equal to core; the table prints value ± bound',
    async () => {
      const args = ['eval', join(FIXTURES, 'epoch-log.arrows')];
      const cols = ['--input', 'logits', '--target', 'target'];
      const json = await runCli([...args, '--metric', 'auroc', ...cols, '--by', 'epoch', '--format', 'json']);
      expect(json.code).toBe(0);
      const doc = JSON.parse(json.stdout) as {
        metrics: {
          value: number;
          errorBound: number;
          rows: number;
          groups: { key: number; value: number; errorBound: number }[];
        }[];
      };
      const [m] = doc.metrics;
      const all = rows();
      const state = aurocPartial(all.x, all.y);
      expect(Object.keys(m!)).toEqual([
        'metric',
        'options',
        'columns',
        'value',
        'errorBound',
        'rows',
        'groups',
      ]);
      expect(m!.value).toBe(finalizeMetric(state));
      expect(m!.errorBound).toBe(aurocErrorBound(state));
      expect(m!.errorBound).toBeGreaterThan(0);
      for (const g of m!.groups) {
        const e = rows(g.key);
        expect(g.errorBound).toBe(aurocErrorBound(aurocPartial(e.x, e.y)));
      }
      const table = await runCli([...args, '--metric', 'auroc', ...cols, '--format', 'table']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^total\s+148\s+0\.\d{4} ± 0\.\d+$/m);
      const none = await runCli([
        ...args,
        '--metric',
        'auroc',
        ...cols,
        '--average',
        'none',
        '--format',
        'table',
      ]);
      expect(none.stdout).toMatch(/^auroc \[[^\]]+\] ± \[[^\]]+\]$/m);
      // CSV and NDJSON carry the bound too: an errorBound column after value (empty for the loss),
      // an errorBound field on the auroc records, the running ones (--every) included.
      const bound = aurocErrorBound(state) as number;
      const csv = await runCli([
        ...args,
        '--loss',
        'cross-entropy',
        '--metric',
        'auroc',
        ...cols,
        '--format',
        'csv',
      ]);
      expect(csv.code).toBe(0);
      const csvLines = csv.stdout.trim().split('\n');
      expect(csvLines[0]).toBe('kind,loss,reduction,key,value,errorBound,rows,batches');
      expect(csvLines).toContain(`total,auroc,metric,,${finalizeMetric(state)},${bound},148,10`);
      expect(csvLines.find((l) => l.startsWith('total,cross-entropy,'))).toMatch(
        /^total,cross-entropy,mean,,[^,]+,,148,10$/,
      );
      const ndjson = await runCli([
        ...args,
        '--metric',
        'auroc',
        ...cols,
        '--every',
        '5',
        '--format',
        'ndjson',
      ]);
      expect(ndjson.code).toBe(0);
      const records = ndjson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; value: number; errorBound: number; rows: number });
      expect(records.map((r) => r.kind)).toEqual(['running', 'running', 'total']);
      expect(records.at(-1)).toMatchObject({ value: finalizeMetric(state), errorBound: bound });
      const first = tensor(all.x.data.subarray(0, records[0]!.rows * C), [records[0]!.rows, C]);
      expect(records[0]!.errorBound).toBe(
        aurocErrorBound(aurocPartial(first, all.y.subarray(0, records[0]!.rows))),
      );
      // Exact metrics have no errorBound field: the JSON contract of the others is unchanged.
      const acc = await runCli([...args, '--metric', 'accuracy', ...cols, '--format', 'json']);
      expect(Object.keys((JSON.parse(acc.stdout) as { metrics: object[] }).metrics[0]!)).toEqual([
        'metric',
        'options',
        'columns',
        'value',
        'rows',
      ]);
    },
    TIMEOUT,
  );

  it(
    'only --metric on every input path (--follow, --by file, a partition key, several keys): the plain values; errors list only the data columns',
    async () => {
      type MetricDoc = {
        metrics: { value: number; groups?: { key: unknown; value: number; rows: number }[] }[];
      };
      const json = async (args: readonly string[]): Promise<MetricDoc> => {
        const run = await runCli([...args, '--metric', 'accuracy', '--format', 'json']);
        expect([run.code, run.stderr]).toEqual([0, '']);
        return JSON.parse(run.stdout) as MetricDoc;
      };
      const fixture = join(FIXTURES, 'epoch-log.arrows');
      const runs = mkdtempSync(join(tmpdir(), 'lossflow-metric-paths-'));
      mkdirSync(join(runs, 'run=a'));
      copyFileSync(fixture, join(runs, 'run=a', 'log.arrows'));
      const plain = (await json(['eval', fixture])).metrics[0]!;
      const perEpoch = (await json(['eval', fixture, '--by', 'epoch'])).metrics[0]!.groups!;
      expect((await json(['eval', fixture, '--follow'])).metrics[0]!.value).toBe(plain.value);
      const byFile = (await json(['eval', fixture, '--by', 'file'])).metrics[0]!;
      expect(byFile.groups!.map((g) => [g.key, g.value])).toEqual([[fixture, plain.value]]);
      const byRun = (await json(['eval', runs, '--by', 'run'])).metrics[0]!;
      expect(byRun.groups!.map((g) => [g.key, g.value])).toEqual([['a', plain.value]]);
      const two = (await json(['eval', runs, '--by', 'run,epoch'])).metrics[0]!;
      expect(two.groups!.map((g) => [g.key, g.value, g.rows])).toEqual(
        perEpoch.map((g) => [{ run: 'a', epoch: g.key }, g.value, g.rows]),
      );
      const missing = await runCli([
        'eval',
        runs,
        '--by',
        'run,epoch',
        '--metric',
        'accuracy',
        '--target',
        'nope',
      ]);
      expect(missing.code).toBe(1);
      const available = /available: ([^[]*)\[/.exec(missing.stderr)?.[1] ?? '';
      expect(available).toContain('logits');
      expect(available).not.toMatch(/\brun\b|run,epoch|no columns/);
    },
    TIMEOUT,
  );

  it(
    '--by with keys alternating row by row in one batch: each key its own values, with and without --loss',
    async () => {
      // Epoch 0's rows predict class 0 (right), epoch 1's class 1 (wrong): accuracy 1 and 0.
      const rowType = new FixedSizeList(2, new Field('item', new Float32(), false));
      const logits = makeData({
        type: rowType,
        length: 4,
        child: makeData({
          type: new Float32(),
          length: 8,
          data: Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]),
        }),
      });
      const file = join(mkdtempSync(join(tmpdir(), 'lossflow-metrics-')), 'alternating.arrows');
      const table = new Table({
        logits: makeVector(logits),
        target: makeVector(Int32Array.from([0, 0, 0, 0])),
        epoch: makeVector(Int32Array.from([0, 1, 0, 1])),
      });
      writeFileSync(file, tableToIPC(table, 'stream'));
      const metricArgs = ['--metric', 'accuracy', '--metric', 'top-k-accuracy', '--k', '1'];
      // One-hot logits look like probabilities: --scores logits says what they are (no note).
      const calibration = ['--metric', 'calibration-error', '--n-bins', '2', '--scores', 'logits'];
      // The confidence of every row is σ(1) = 0.7311 (float32 softmax), right on epoch 0, wrong on epoch 1.
      const confidence = 1 / (1 + Math.exp(-1));
      for (const loss of [[], ['--loss', 'cross-entropy']]) {
        const run = await runCli([
          'eval',
          file,
          ...loss,
          ...metricArgs,
          ...calibration,
          '--by',
          'epoch',
          '--format',
          'json',
        ]);
        expect([run.code, run.stderr]).toEqual([0, '']);
        const doc = JSON.parse(run.stdout) as {
          metrics: { metric: string; value: number; groups: { key: number; value: number }[] }[];
        };
        const of = (name: string) => doc.metrics.find((m) => m.metric === name)!;
        for (const name of ['accuracy', 'top-k-accuracy']) {
          expect(of(name).value, name).toBe(0.5);
          expect(
            of(name).groups.map((g) => [g.key, g.value]),
            name,
          ).toEqual([
            [0, 1],
            [1, 0],
          ]);
        }
        const ece = of('calibration-error');
        expect(ece.groups[0]!.value).toBeCloseTo(1 - confidence, 6);
        expect(ece.groups[1]!.value).toBeCloseTo(confidence, 6);
        expect(ece.value).toBeCloseTo(Math.abs(0.5 - confidence), 6);
      }
    },
    TIMEOUT,
  );

  it(
    'only --metric: no implicit loss (0/1 Int64 targets, where cross-entropy would fail), every format',
    async () => {
      const logits = [2.5, -1, 0.3, -0.2, 4, -3, 0.1, 1.2];
      const target = [1n, 0n, 0n, 0n, 1n, 1n, 1n, 1n];
      const file = join(mkdtempSync(join(tmpdir(), 'lossflow-metrics-')), 'binary.arrows');
      const table = new Table({
        logits: vectorFromArray(logits),
        target: makeVector(BigInt64Array.from(target)),
      });
      writeFileSync(file, tableToIPC(table, 'stream'));
      const expected = accuracy(Float64Array.from(logits), Int32Array.from(target, Number));
      const args = ['eval', file, '--metric', 'accuracy'];

      const json = await runCli([...args, '--format', 'json']);
      expect([json.code, json.stderr]).toEqual([0, '']);
      const doc = JSON.parse(json.stdout) as {
        rows: number;
        results: unknown[];
        metrics: { value: number }[];
      };
      expect([doc.rows, doc.results, doc.metrics.map((m) => m.value)]).toEqual([8, [], [expected]]);

      const csv = await runCli([...args, '--format', 'csv']);
      expect(csv.code).toBe(0);
      expect(csv.stdout.trim().split('\n')).toEqual([
        'kind,loss,reduction,key,value,rows,batches',
        `total,accuracy,metric,,${expected},8,1`,
      ]);

      const text = await runCli(args);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/accuracy/);
      expect(text.stdout).toMatch(/total\s+8\s+0\.7500/);

      // A loss flag with no --loss to apply to is a usage error, not a silent implicit loss.
      const stray = await runCli(['eval', file, '--input', 'logits', '--metric', 'accuracy']);
      expect(stray.code).toBe(2);
      expect(stray.stderr).toMatch(/--input applies to a --loss/);
    },
    TIMEOUT,
  );

  it(
    'an empty file: the confusion matrix is C × C zeros (counts of nothing), as scikit-learn gives; per-class values one NaN per class',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-empty-cm-'));
      const file = join(dir, 'empty.arrow');
      const type = new FixedSizeList(3, new Field('item', new Float32(), false));
      const child = makeData({ type: new Float32(), length: 0, data: new Float32Array(0) });
      const logits = makeVector(makeData({ type, length: 0, child }));
      writeFileSync(
        file,
        tableToIPC(new Table({ logits, target: makeVector(new BigInt64Array(0)) }), 'file'),
      );
      const run = await runCli([
        'eval',
        file,
        '--metric',
        'confusion-matrix',
        '--input',
        'logits',
        '--target',
        'target',
        '--format',
        'json',
      ]);
      expect([run.code, run.stderr]).toEqual([0, '']);
      const doc = JSON.parse(run.stdout) as { metrics: { value: unknown; rows: number }[] };
      expect(doc.metrics[0]).toMatchObject({
        rows: 0,
        value: [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      });
      // Per-class values: one NaN per class, as many values as a file with rows gives (not one NaN);
      // what core gives a batch of no rows. Scalars stay NaN.
      const perClass = [
        ...['--metric', 'f1', '--average', 'none'],
        ...['--metric', 'auroc', '--average', 'none'],
        ...['--metric', 'f1'],
      ];
      const cols = ['--input', 'logits', '--target', 'target'];
      const json = await runCli(['eval', file, ...perClass, ...cols, '--format', 'json']);
      expect([json.code, json.stderr]).toEqual([0, '']);
      const values = (JSON.parse(json.stdout) as { metrics: { value: unknown }[] }).metrics.map(
        (m) => m.value,
      );
      expect(values).toEqual([['NaN', 'NaN', 'NaN'], ['NaN', 'NaN', 'NaN'], 'NaN']);
      const csv = await runCli([
        'eval',
        file,
        '--metric',
        'f1',
        '--average',
        'none',
        ...cols,
        '--format',
        'csv',
      ]);
      expect(csv.stdout).toContain('total,f1,metric,,"[""NaN"",""NaN"",""NaN""]",0,0');
    },
    TIMEOUT,
  );

  it(
    'a binary head stored as (N, 1) with 0/1 targets: the values of the same scores as (N), --threshold allowed',
    async () => {
      const logits = [2.1, -0.3, 0.7, -1.5, 0.2, 1.1, -0.8, 0.05];
      const target = BigInt64Array.from([1n, 0n, 1n, 0n, 0n, 1n, 1n, 0n]);
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-metrics-'));
      const head = new FixedSizeList(1, new Field('item', new Float64(), false));
      const write = (name: string, column: Vector) => {
        const file = join(dir, name);
        writeFileSync(file, tableToIPC(new Table({ logits: column, target: makeVector(target) }), 'stream'));
        return file;
      };
      const column = write('column.arrows', vectorFromArray(logits));
      const headFile = write(
        'head.arrows',
        vectorFromArray(
          logits.map((v) => [v]),
          head,
        ),
      );
      const metrics = [
        ...['--metric', 'accuracy', '--threshold', '0.6'],
        ...['--metric', 'f1'],
        ...['--metric', 'auroc'],
        ...['--metric', 'brier-score'],
        ...['--metric', 'calibration-error'],
      ];
      const values = async (file: string) => {
        const run = await runCli(['eval', file, ...metrics, '--format', 'json']);
        expect([run.code, run.stderr]).toEqual([0, '']);
        return (JSON.parse(run.stdout) as { metrics: { value: unknown }[] }).metrics.map((m) => m.value);
      };
      const expected = await values(column);
      expect(expected[0]).toBe(
        accuracy(Float64Array.from(logits), Int32Array.from(target, Number), { threshold: 0.6 }),
      );
      expect(await values(headFile)).toEqual(expected);
    },
    TIMEOUT,
  );

  it(
    'scores that look like probabilities read as logits by default: one note on stderr, no value changed; none for logits or with --scores',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-metrics-'));
      const target = makeVector(BigInt64Array.from([1n, 0n, 1n, 0n, 0n, 1n]));
      const binary = join(dir, 'binary.arrows');
      writeFileSync(
        binary,
        tableToIPC(
          new Table({
            p: vectorFromArray([0.9, 0.2, 0.6, 0.1, 0.4, 0.8]),
            z: vectorFromArray([2.2, -1.4, 0.4, -2.2, -0.4, 1.4]),
            target,
          }),
          'stream',
        ),
      );
      const classes = join(dir, 'classes.arrows');
      const perClass = new FixedSizeList(3, new Field('item', new Float32(), false));
      writeFileSync(
        classes,
        tableToIPC(
          new Table({
            p: vectorFromArray(
              [
                [0.7, 0.2, 0.1],
                [0.1, 0.8, 0.1],
                [0.3, 0.3, 0.4],
              ],
              perClass,
            ),
            target: makeVector(BigInt64Array.from([0n, 1n, 2n])),
          }),
          'stream',
        ),
      );
      const note =
        /^lossflow eval: note: column 'p' looks like probabilities .* pass --scores probabilities .* pass --scores logits to silence this note\.\n$/;
      // This thread's read (--by file) and the threaded pass's (the note from a look at the first batch).
      for (const mode of [['--by', 'file'], ['--threads', '2'], ['--follow']]) {
        const run = (file: string, metrics: string[]) =>
          runCli(['eval', file, ...mode, ...metrics, '--format', 'json']);
        const both = ['--metric', 'brier-score', '--input', 'p', '--metric', 'accuracy', '--input', 'p'];
        const noted = await run(binary, both);
        expect(noted.code, mode.join(' ')).toBe(0);
        expect(noted.stderr, mode.join(' ')).toMatch(note);
        expect(noted.stderr).toMatch(/--metric brier-score, accuracy read it as logits/);
        // The values are the default's (logits), as with --scores logits given, which prints no note.
        const given = await run(binary, [
          ...['--metric', 'brier-score', '--input', 'p', '--scores', 'logits'],
          ...['--metric', 'accuracy', '--input', 'p', '--scores', 'logits'],
        ]);
        expect(given.stderr).toBe('');
        const values = (out: string) =>
          (JSON.parse(out) as { metrics: { value: number }[] }).metrics.map((m) => m.value);
        expect(values(noted.stdout)).toEqual(values(given.stdout));
        const probabilities = await run(binary, [
          '--metric',
          'brier-score',
          '--input',
          'p',
          '--scores',
          'probabilities',
        ]);
        expect([probabilities.code, probabilities.stderr]).toEqual([0, '']);
        // Logits: no note.
        const logits = await run(binary, [
          '--metric',
          'brier-score',
          '--input',
          'z',
          '--metric',
          'f1',
          '--input',
          'z',
        ]);
        expect([logits.code, logits.stderr]).toEqual([0, '']);
        // Class probabilities: a note for the softmax metrics, none for the argmax ones (the same for both).
        const calibration = await run(classes, [
          '--metric',
          'calibration-error',
          '--n-bins',
          '2',
          '--input',
          'p',
          '--metric',
          'accuracy',
          '--input',
          'p',
        ]);
        expect(calibration.stderr).toMatch(note);
        expect(calibration.stderr).toMatch(/--metric calibration-error reads it as logits/);
        const argmax = await run(classes, [
          '--metric',
          'accuracy',
          '--input',
          'p',
          '--metric',
          'f1',
          '--input',
          'p',
        ]);
        expect([argmax.code, argmax.stderr]).toEqual([0, '']);
      }
      // --quiet silences notes, as it does the --by group note.
      const quiet = await runCli(['eval', binary, '--quiet', '--metric', 'brier-score', '--input', 'p']);
      expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    },
    TIMEOUT,
  );

  it(
    'bad metric flags are usage errors (exit 2) before anything is read',
    async () => {
      const file = join(FIXTURES, 'epoch-log.arrows');
      const cases: [string[], RegExp][] = [
        [['--metric', 'acuracy'], /unknown metric 'acuracy'. Did you mean accuracy\?/],
        [['--k', '2'], /--k is a metric option/],
        [
          ['--metric', 'accuracy', '--label-smoothing', '0.1'],
          /--label-smoothing is not an option of metric accuracy/,
        ],
        [['--metric', 'f1', '--average', 'samples'], /--metric f1: average must be one of/],
        [['--metric', 'top-k-accuracy', '--k', '0'], /--metric top-k-accuracy: k must be/],
        // Class-index targets: the prediction is the argmax, a threshold would do nothing.
        [
          ['--metric', 'accuracy', '--input', 'logits', '--target', 'target', '--threshold', '0.7'],
          /--threshold does not apply to --metric accuracy here: 'logits' holds a score per class and 'target' class indices/,
        ],
        // Class-index targets have one class per row: no labels for --multilabel to count apart.
        [
          ['--metric', 'accuracy', '--input', 'logits', '--target', 'target', '--multilabel', 'macro'],
          /--multilabel does not apply to --metric accuracy here: 'logits' holds a score per class and 'target' class indices/,
        ],
      ];
      for (const [args, message] of cases) {
        const run = await runCli(['eval', file, ...args]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(message);
      }
    },
    TIMEOUT,
  );

  it(
    '--every N: running records of the metrics beside the losses, named as the final ones, the last equal to the final values',
    async () => {
      const run = await runCli([
        'eval',
        join(FIXTURES, 'epoch-log.arrows'),
        '--loss',
        'cross-entropy',
        '--metric',
        'accuracy',
        '--metric',
        'confusion-matrix',
        '--by',
        'epoch',
        '--every',
        '3',
        '--format',
        'ndjson',
      ]);
      expect([run.code, run.stderr]).toEqual([0, '']);
      type Line = {
        kind: string;
        loss: string;
        reduction: string;
        key: number | null;
        value: unknown;
        rows: number;
        batches: number;
      };
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
      const running = lines.filter((l) => l.kind === 'running');
      const totals = (name: string) => running.filter((l) => l.loss === name && l.key === null);
      // 10 batches: running values after batches 3, 6 and 9, for the loss and each metric.
      for (const name of ['cross-entropy', 'accuracy', 'confusion-matrix'])
        expect(totals(name).map((l) => l.batches)).toEqual([3, 6, 9]);
      expect(running.filter((l) => l.loss === 'accuracy').every((l) => l.reduction === 'metric')).toBe(true);
      // Each running total is the metric over the rows read so far (the file's first rows).
      const all = rows();
      for (const l of totals('accuracy')) {
        const x = tensor(all.x.data.subarray(0, l.rows * C), [l.rows, C]);
        expect(l.value).toBe(accuracy(x, all.y.subarray(0, l.rows)));
      }
      for (const l of totals('confusion-matrix')) {
        const x = tensor(all.x.data.subarray(0, l.rows * C), [l.rows, C]);
        expect(JSON.parse(l.value as string)).toEqual(confusionMatrix(x, all.y.subarray(0, l.rows)));
      }
      // A group's running value is that epoch's so far: epoch 0 is complete after 3 batches (37 rows).
      const epoch0 = running.find((l) => l.loss === 'accuracy' && l.key === 0)!;
      expect(epoch0.value).toBe(accuracy(rows(0).x, rows(0).y));
      // The final records follow, as without --every.
      const finalTotal = lines.find((l) => l.kind === 'total' && l.loss === 'accuracy')!;
      expect(finalTotal.value).toBe(accuracy(all.x, all.y));
    },
    TIMEOUT,
  );

  it(
    '(N, k) columns: --multioutput for r2 / pearson, --multilabel for accuracy; defaults as scikit-learn',
    async () => {
      const n = 40;
      const k = 3;
      const pred: number[][] = [];
      const y: number[][] = [];
      for (let i = 0; i < n; i++) {
        y.push([Math.sin(i), 10 * Math.cos(i), 100 + ((i * 7) % 13)]);
        pred.push([
          Math.sin(i) + 0.7 * Math.cos(3 * i),
          10 * Math.cos(i) + Math.sin(5 * i),
          100 + ((i * 7) % 13) + 0.3,
        ]);
      }
      const list = () => new FixedSizeList(k, new Field('item', new Float64(), true));
      const file = join(mkdtempSync(join(tmpdir(), 'lossflow-metrics-')), 'outputs.arrows');
      const table = new Table({
        pred: vectorFromArray(pred, list()),
        y: vectorFromArray(y, list()),
        // Multi-label logits and 0/1 targets (as floats: targets of input's shape).
        logits: vectorFromArray(
          pred.map((r) => r.map((v, j) => v - [0, 0, 100][j]!)),
          list(),
        ),
        labels: vectorFromArray(
          y.map((r) => r.map((v, j) => (v > [0, 0, 106][j]! ? 1 : 0))),
          list(),
        ),
      });
      writeFileSync(file, tableToIPC(table, 'stream'));
      const X = tensor(Float64Array.from(pred.flat()), [n, k]);
      const Y = tensor(Float64Array.from(y.flat()), [n, k]);
      const Z = tensor(Float64Array.from(pred.flat().map((v, i) => v - [0, 0, 100][i % k]!)), [n, k]);
      const L = tensor(Float64Array.from(y.flat().map((v, i) => (v > [0, 0, 106][i % k]! ? 1 : 0))), [n, k]);
      const reg = ['--input', 'pred', '--target', 'y'];
      const cls = ['--input', 'logits', '--target', 'labels'];
      const run = await runCli([
        'eval',
        file,
        ...['--metric', 'r2', ...reg],
        ...['--metric', 'r2', ...reg, '--multioutput', 'raw_values'],
        ...['--metric', 'r2', ...reg, '--multioutput', 'variance_weighted'],
        ...['--metric', 'pearson', ...reg, '--multioutput', 'raw_values'],
        ...['--metric', 'accuracy', ...cls],
        ...['--metric', 'accuracy', ...cls, '--multilabel', 'elementwise'],
        ...['--metric', 'accuracy', ...cls, '--multilabel', 'macro'],
        ...['--metric', 'brier-score', ...cls],
        '--format',
        'json',
      ]);
      expect([run.code, run.stderr]).toEqual([0, '']);
      const doc = JSON.parse(run.stdout) as { metrics: { value: unknown }[] };
      expect(doc.metrics.map((m) => m.value)).toEqual([
        r2(X, Y),
        r2(X, Y, { multioutput: 'raw_values' }),
        r2(X, Y, { multioutput: 'variance_weighted' }),
        pearson(X, Y, { multioutput: 'raw_values' }),
        accuracy(Z, L),
        accuracy(Z, L, { multilabel: 'elementwise' }),
        accuracy(Z, L, { multilabel: 'macro' }),
        brierScore(Z, L),
      ]);
      // The defaults are per output (not flattened) and subset accuracy.
      expect(doc.metrics[0]!.value).not.toBe(r2(Float64Array.from(pred.flat()), Float64Array.from(y.flat())));
      expect(doc.metrics[4]!.value).not.toBe(doc.metrics[5]!.value);

      const bad = await runCli([
        'eval',
        file,
        '--metric',
        'pearson',
        ...reg,
        '--multioutput',
        'variance_weighted',
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/multioutput must be one of/);
    },
    TIMEOUT,
  );
});
