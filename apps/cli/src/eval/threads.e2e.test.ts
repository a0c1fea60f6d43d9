/**
 * `lossflow eval --threads N` end to end: 1 (the main thread's block reader), 2 and 3 threads, the
 * default (one per core) and the main thread's apache-arrow reader (`--report` reads there) print
 * the same JSON document, numbers to the bit, for every fixture format, several losses, metrics
 * beside them, groups, a row limit and running values; failures read the same; a bad count is bad usage.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile, writeIpcFile, writeIpcStream, writeParquet } from '@lossflow/arrow/node';
import { Field, FixedSizeList, Float32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs } from '../args/evalArgs.js';
import { BIN, FIXTURES, runCli } from '../testing/runCli.js';

const FILES = ['epoch-log.arrows', 'epoch-log.arrow', 'epoch-log.parquet'].map((f) => join(FIXTURES, f));
const TIMEOUT = 60_000;
const golden = JSON.parse(readFileSync(join(FIXTURES, 'epoch-log.json'), 'utf8')) as {
  expected: Record<string, { all: { float32: number } }>;
};

/**
 * stdout of `lossflow eval …args` with `--threads N` for N = 1, 2, 3, the default, and in the main
 * thread (with `--report`, which reads there), which must all succeed.
 */
/** The record batches of a file. */
async function readBatchesOf(path: string): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const batch of readFile(path)) out.push(batch);
  return out;
}

async function perThreads(args: string[]): Promise<string[]> {
  const outputs: string[] = [];
  const report = join(mkdtempSync(join(tmpdir(), 'lossflow-threads-')), 'report.html');
  for (const threads of [
    ['--threads', '1'],
    ['--threads', '2'],
    ['--threads', '3'],
    [],
    ['--report', report],
  ]) {
    const run = await runCli(['eval', ...args, ...threads]);
    expect(run.stderr).toBe(threads[0] === '--report' ? `Report written to ${report}\n` : '');
    expect(run.code).toBe(0);
    outputs.push(run.stdout);
  }
  return outputs;
}

/**
 * A script for `node --require`: counts the worker threads the process starts and says how many on
 * stderr as it exits.
 */
const COUNT_WORKERS = join(mkdtempSync(join(tmpdir(), 'lossflow-threads-')), 'countWorkers.cjs');
writeFileSync(
  COUNT_WORKERS,
  `const threads = require('node:worker_threads');
let started = 0;
const Worker = threads.Worker;
threads.Worker = class extends Worker { constructor(...args) { super(...args); started++; } };
require('node:module').syncBuiltinESMExports();
process.on('exit', () => process.stderr.write('workers started: ' + started + '\\n'));
`,
);

let bigFile: Promise<string> | undefined;

/** An IPC stream of (pred, target) float32 columns just over 8 MiB: one worker's worth (see fileThreads). */
function bigMseFile(): Promise<string> {
  bigFile ??= (async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lossflow-threads-')), 'big-mse.arrows');
    const rows = 1_100_000;
    const fields = ['pred', 'target'].map((n) => new Field(n, new Float32(), false));
    const schema = new Schema(fields);
    const out = writeIpcStream(file, schema);
    const children = [0, 1].map((k) =>
      makeData({
        type: new Float32(),
        length: rows,
        data: Float32Array.from({ length: rows }, (_, i) => Math.sin(i * (k + 1))),
      }),
    );
    await out.write(new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, children })));
    await out.close();
    return file;
  })();
  return bigFile;
}

describe('lossflow eval --threads', () => {
  it(
    'a file without record batches, alone or among others, prints what the main thread prints, with and without --by',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-empty-'));
      const [first] = await readBatchesOf(join(FIXTURES, 'epoch-log.arrows'));
      const none = first!.slice(0, 0);
      const empties = [join(dir, 'none.arrows'), join(dir, 'none.arrow'), join(dir, 'none.parquet')];
      for (const [i, path] of empties.entries()) {
        if (i === 2) {
          await writeParquet(path, [none]);
          continue;
        }
        // A schema and no batch (the IPC file as apache-arrow writes one without batches).
        await (i === 0 ? writeIpcStream : writeIpcFile)(path, none.schema).close();
      }
      // Alone, and among other files with --by: in workers, and in the main thread (--report reads there).
      const report = join(dir, 'report.html');
      for (const empty of empties) {
        for (const args of [[empty], [empty, FILES[0]!, '--by', 'epoch']]) {
          const outputs: string[] = [];
          for (const where of [
            ['--threads', '2'],
            ['--report', report],
          ]) {
            const run = await runCli(['eval', ...args, '--format', 'json', ...where]);
            expect(run.code, `${args.join(' ')} ${where.join(' ')}: ${run.stderr}`).toBe(0);
            outputs.push(run.stdout);
          }
          expect(outputs[1], args.join(' ')).toBe(outputs[0]);
          expect((JSON.parse(outputs[0]!) as { rows: number }).rows).toBe(args.length === 1 ? 0 : 148);
        }
      }
    },
    4 * TIMEOUT,
  );

  it.each(FILES)(
    'prints the same bits with 1, 2, 3, one-per-core threads and the main thread: %s',
    async (file) => {
      const outputs = await perThreads([
        file,
        '--loss',
        'cross-entropy',
        '--label-smoothing',
        '0.1',
        '--loss',
        'nll',
        '--loss',
        'mse',
        '--input',
        'pred',
        '--target',
        'y',
        '--by',
        'epoch',
        '--format',
        'json',
      ]);
      expect(new Set(outputs).size).toBe(1);
      const doc = JSON.parse(outputs[0]!) as {
        rows: number;
        results: { value: number; groups: unknown[] }[];
      };
      expect(doc.rows).toBe(148);
      expect(doc.results.map((r) => r.groups.length)).toEqual([4, 4, 4]);
      expect(Math.abs(doc.results[2]!.value - golden.expected.mse!.all.float32)).toBeLessThan(1e-6);
    },
    TIMEOUT,
  );

  it(
    'prints the same metric bits, totals and per epoch, with losses in the same pass',
    async () => {
      const outputs = await perThreads([
        FILES[0]!,
        '--loss',
        'cross-entropy',
        '--metric',
        'accuracy',
        '--metric',
        'top-k-accuracy',
        '--k',
        '2',
        '--metric',
        'calibration-error',
        '--metric',
        'r2',
        '--input',
        'pred',
        '--target',
        'y',
        '--by',
        'epoch',
        '--format',
        'json',
      ]);
      expect(new Set(outputs).size).toBe(1);
      const doc = JSON.parse(outputs[0]!) as {
        metrics: { metric: string; rows: number; groups: unknown[] }[];
      };
      expect(doc.metrics.map((m) => [m.metric, m.rows, m.groups.length])).toEqual([
        ['accuracy', 148, 4],
        ['top-k-accuracy', 148, 4],
        ['calibration-error', 148, 4],
        ['r2', 148, 4],
      ]);
    },
    TIMEOUT,
  );

  it(
    'keeps several files, a row limit and running values (--every) identical',
    async () => {
      const outputs = await perThreads([
        FILES[0]!,
        FILES[2]!,
        '--limit',
        '200',
        '--by',
        'epoch',
        '--format',
        'ndjson',
        '--every',
        '3',
      ]);
      expect(new Set(outputs).size).toBe(1);
      const lines = outputs[0]!.trim().split('\n');
      expect(lines.filter((l) => l.includes('"running"')).length).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'reports a failure the same way whatever the thread count',
    async () => {
      const messages: string[] = [];
      for (const threads of ['1', '2', '3']) {
        const run = await runCli([
          'eval',
          FILES[0]!,
          '--input',
          'logits',
          '--target',
          'step',
          '--threads',
          threads,
        ]);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        messages.push(run.stderr);
      }
      expect(new Set(messages).size).toBe(1);
      expect(messages[0]).toMatch(
        /cannot compute cross-entropy \(file '.*epoch-log\.arrows', batch 0, row 5/,
      );
    },
    TIMEOUT,
  );

  it(
    'starts a worker for a file of 8 MiB or more, none for a small one, whatever --threads says',
    async () => {
      const mse = ['--loss', 'mse', '--input', 'pred', '--target', 'target'];
      for (const [args, started] of [
        [['eval', FILES[0]!], 0],
        [['eval', await bigMseFile(), ...mse], 1],
      ] as const) {
        const counted = spawnSync(
          process.execPath,
          ['--require', COUNT_WORKERS, BIN, ...args, '--threads', '2', '--format', 'json'],
          { encoding: 'utf8' },
        );
        expect([counted.status, counted.stderr]).toEqual([0, `workers started: ${started}\n`]);
        expect(counted.stdout).toBe((await runCli([...args, '--threads', '1', '--format', 'json'])).stdout);
      }
    },
    TIMEOUT,
  );

  it(
    'starts its workers when node runs with V8 options, which a worker thread refuses',
    async () => {
      const args = ['eval', await bigMseFile(), '--loss', 'mse', '--input', 'pred', '--target', 'target'];
      args.push('--threads', '2', '--format', 'json');
      const plain = await runCli(args);
      const tuned = spawnSync(
        process.execPath,
        [
          '--max-old-space-size=512',
          '--stack-size=2000',
          '--no-liftoff',
          '--title=lossflow,test',
          BIN,
          ...args,
        ],
        { encoding: 'utf8' },
      );
      expect([tuned.status, tuned.stderr]).toEqual([0, '']);
      expect(tuned.stdout).toBe(plain.stdout);
    },
    TIMEOUT,
  );

  it(
    'computes a loss with a function option (--distance) in the main thread, as rx requires',
    async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'lossflow-threads-')), 'triplets.arrows');
      const D = 3;
      const vec = new FixedSizeList(D, new Field('item', new Float32(), false));
      const fields = ['anchor', 'positive', 'negative'].map((n) => new Field(n, vec, false));
      const schema = new Schema(fields);
      const children = [0, 1, 2].map((k) =>
        makeData({
          type: vec,
          length: 4,
          child: makeData({
            type: new Float32(),
            length: 4 * D,
            data: Float32Array.from({ length: 4 * D }, (_, i) => Math.sin(i + k)),
          }),
        }),
      );
      const out = writeIpcStream(file, schema);
      await out.write(new RecordBatch(schema, makeData({ type: new Struct(fields), length: 4, children })));
      await out.close();
      const args = [
        'eval',
        file,
        '--loss',
        'triplet-margin-with-distance',
        '--distance',
        'cosine',
        '--format',
        'json',
      ];
      const runs = [await runCli([...args, '--threads', '2']), await runCli([...args, '--threads', '1'])];
      for (const run of runs) expect([run.code, run.stderr]).toEqual([0, '']);
      expect(runs[0]!.stdout).toBe(runs[1]!.stdout);
    },
    TIMEOUT,
  );

  it(
    'takes a whole number of at least 1',
    async () => {
      expect(parseEvalArgs(['f']).threads).toBeUndefined();
      expect(parseEvalArgs(['f', '--threads', '4']).threads).toBe(4);
      for (const bad of ['0', '-2', 'many', '1.5']) {
        const run = await runCli(['eval', FILES[0]!, '--threads', bad]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/--threads/);
      }
    },
    TIMEOUT,
  );
});
