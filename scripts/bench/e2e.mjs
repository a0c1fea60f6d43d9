// End-to-end benchmark of `lossflow eval` (process start to JSON output), issue 13's table: the same
// cross-entropy rows as Arrow IPC streams of 8,192-, 65,536- and 1,000,000-row batches and as
// Parquet (written by DuckDB: SNAPPY defaults, ZSTD, 1M-row groups; and by lossflow), each beside
// DuckDB's full read of the same Parquet file, PyTorch's loop over a raw copy of the rows, a plain
// read of the file, and the peak RSS; then MSE over a ≥ 3 GB IPC stream against a plain read, and
// cross-entropy with accuracy, top-5 accuracy and ECE against cross-entropy alone (issue 16), the
// fixed cost of a process, and lossflow's library timed as PyTorch's loop is (a warm second run).
// Run with `pnpm bench:e2e` (which builds first); options:
//   --rows N        cross-entropy rows (default 2,000,000; 100 float32 logits a row)
//   --mse-rows N    MSE (input, target) pairs (default 400,000,000: a 3.2 GB stream; 0 skips it)
//   --runs N        timed runs per case, after one warm-up run of each (default 3); the runs are
//                   interleaved (round r runs every case once), and each case's median is reported
//   --skip a,b      leave out parts: ipc, parquet, duckdb, torch, mse, metrics
//   --quick         a smoke run: 100,000 rows, 1,000,000 MSE pairs, one run (options given win)
// Inputs are generated once and cached in os.tmpdir()/lossflow-bench/e2e (never in the repo);
// delete that folder to reclaim them. Benchmarks measure; they never assert.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Field, Float32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { trainingLogBatches } from '../../packages/arrow/dist/index.js';
import { writeIpcStream, writeParquet } from '../../packages/arrow/dist/node.js';
import { cpu, fmtCount, formatTable, gbps, mb, medianRun, ms, percent, speed } from './e2eTable.mjs';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string' },
    'mse-rows': { type: 'string' },
    runs: { type: 'string' },
    skip: { type: 'string', default: '' },
    quick: { type: 'boolean', default: false },
  },
});
const count = (name, text) => {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got ${text}`);
  return n;
};
const QUICK = args.quick;
const ROWS = count('rows', args.rows ?? (QUICK ? '100000' : '2000000'));
const MSE_ROWS = count('mse-rows', args['mse-rows'] ?? (QUICK ? '1000000' : '400000000'));
const RUNS = Math.max(1, count('runs', args.runs ?? (QUICK ? '1' : '3')));
const SKIP = new Set(args.skip.split(',').filter((s) => s !== ''));

const CACHE = join(tmpdir(), 'lossflow-bench', 'e2e');
const BIN = fileURLToPath(new URL('../../apps/cli/bundle/bin.js', import.meta.url));
const CORES = availableParallelism();
const CLASSES = 100;
const SEED = 7;
const MSE_BATCH = 1 << 20;
// A case whose warm-up took longer than this is measured once, not RUNS times (a slow fallback path).
const SLOW_SECONDS = 8;

const log = (message) => process.stderr.write(`${message}\n`);
const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : String(n));

/** Writes `path` once (through `path.partial`, so an interrupted run never leaves a bad cache). */
async function cached(name, write) {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, name);
  if (!existsSync(path)) {
    const t0 = performance.now();
    await write(`${path}.partial`);
    renameSync(`${path}.partial`, path);
    log(
      `generated ${path} (${(statSync(path).size / 1e9).toFixed(2)} GB) in ${((performance.now() - t0) / 1e3).toFixed(1)} s`,
    );
  }
  return path;
}

/** Appends a typed array's bytes to an open file descriptor. */
function append(fd, view) {
  writeSync(fd, new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

const trainingOptions = (batchRows) => ({ rows: ROWS, classes: CLASSES, epochs: 1, batchRows, seed: SEED });

/** The training log as an Arrow IPC stream of `batchRows`-row batches (the same rows for any batch size). */
function ipcLog(batchRows) {
  return cached(`train-${label(ROWS)}-${CLASSES}-b${batchRows}.arrows`, async (partial) => {
    const out = writeIpcStream(partial);
    for (const batch of trainingLogBatches(trainingOptions(batchRows))) await out.write(batch);
    await out.close();
  });
}

/** The logits and targets as raw binary, for PyTorch. */
async function rawLog() {
  const logits = join(CACHE, `train-${label(ROWS)}-${CLASSES}.logits.f32`);
  const targets = join(CACHE, `train-${label(ROWS)}-${CLASSES}.target.i64`);
  await cached(`train-${label(ROWS)}-${CLASSES}.logits.f32`, async (partial) => {
    const fx = openSync(partial, 'w');
    const ft = openSync(`${targets}.partial`, 'w');
    for (const batch of trainingLogBatches(trainingOptions(65_536))) {
      append(fx, batch.getChild('logits').data[0].children[0].values);
      append(ft, batch.getChild('target').data[0].values);
    }
    closeSync(fx);
    closeSync(ft);
    renameSync(`${targets}.partial`, targets);
  });
  return { logits, targets };
}

/** The log as Parquet written by lossflow (row groups of 8,192 rows, SNAPPY, as `lossflow generate` does). */
function lossflowParquet() {
  return cached(`train-${label(ROWS)}-${CLASSES}-lossflow.parquet`, (partial) =>
    writeParquet(partial, trainingLogBatches(trainingOptions(8192)), { rowGroupRows: 8192 }),
  );
}

const duckdbModule = (() => {
  try {
    const require = createRequire(new URL('../../packages/arrow/package.json', import.meta.url));
    return require.resolve('@duckdb/node-api');
  } catch {
    return undefined;
  }
})();

/** Runs SQL in a fresh DuckDB (CORES threads) in this process. */
async function duckdb(sql) {
  const { DuckDBInstance } = await import(duckdbModule);
  const instance = await DuckDBInstance.create(':memory:', { threads: String(CORES) });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
  }
}

/** The lossflow-written rows rewritten by DuckDB's own Parquet writer, with `options`. */
function duckdbParquet(name, options, source) {
  return cached(`train-${label(ROWS)}-${CLASSES}-duckdb-${name}.parquet`, (partial) =>
    duckdb(`COPY (SELECT * FROM read_parquet('${source}')) TO '${partial}' (FORMAT parquet${options})`),
  );
}

/**
 * A child process timed from spawn to exit, with GNU time's user + system CPU and maximum RSS
 * when /usr/bin/time exists, and its stdout.
 */
function timed(command, commandArgs) {
  const gnuTime = existsSync('/usr/bin/time');
  const [cmd, argv] = gnuTime
    ? ['/usr/bin/time', ['-f', '%U %S %M', command, ...commandArgs]]
    : [command, commandArgs];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0)
        return reject(new Error(`${command} ${commandArgs.join(' ')} exited with ${code}: ${stderr}`));
      let cpu;
      let peak;
      if (gnuTime) {
        const [user, sys, kb] = stderr.trim().split('\n').pop().split(' ').map(Number);
        cpu = user + sys;
        peak = kb * 1024;
      }
      resolve({ seconds, cpu, peak, stdout });
    });
  });
}

// A plain read of the file into a reused 8 MB buffer: the floor of any reader of the file.
const PLAIN_READ = `
const fs = require('node:fs');
const buffer = Buffer.allocUnsafe(8 << 20);
const fd = fs.openSync(process.argv[1], 'r');
let total = 0;
for (;;) { const n = fs.readSync(fd, buffer, 0, buffer.length, null); if (n === 0) break; total += n; }
console.log(total);
`;

// DuckDB's full read of a Parquet file (every logit summed), timed around the query only.
const DUCKDB_READ = `
const { DuckDBInstance } = await import(process.argv[1]);
const instance = await DuckDBInstance.create(':memory:', { threads: process.argv[3] });
const connection = await instance.connect();
const t0 = performance.now();
const rows = (await connection.runAndReadAll(
  \`SELECT sum(list_sum(logits)), sum(target), count(*) FROM read_parquet('\${process.argv[2]}')\`,
)).getRows();
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1e3, value: String(rows[0][0]) }));
connection.closeSync();
`;

// Prints the loop's time for one run (after a warm-up run in the same process) and the loss.
const TORCH = `
import sys, time, warnings, numpy as np, torch, torch.nn.functional as F
warnings.filterwarnings('ignore')
torch.set_num_threads(int(sys.argv[2]))
kind, a, b, rows, width = sys.argv[1], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
CHUNK = 65536
# Chunks are read into buffers allocated once (readinto), as a careful PyTorch loop would: a new
# bytes object per chunk costs PyTorch fresh page faults, which made its times vary tenfold here.
xbuf = np.empty(CHUNK * width, dtype=np.float32)
ybuf = np.empty(CHUNK, dtype=np.int64 if kind == 'ce' else np.float32)
def run():
    t0 = time.perf_counter()
    total, count = 0.0, 0
    with open(a, 'rb', buffering=0) as fa, open(b, 'rb', buffering=0) as fb:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            xv, yv = xbuf[: n * width], ybuf[:n]
            if fa.readinto(memoryview(xv).cast('B')) != xv.nbytes or fb.readinto(memoryview(yv).cast('B')) != yv.nbytes:
                sys.exit(f'{a} or {b} is shorter than {rows} rows')
            x = torch.from_numpy(xv.reshape(n, width) if width > 1 else xv)
            y = torch.from_numpy(yv)
            if kind == 'ce':
                total += F.cross_entropy(x, y, reduction='sum').item()
                count += int((y != -100).sum())
            else:
                total += F.mse_loss(x, y, reduction='sum').item()
                count += n
    return time.perf_counter() - t0, total / count
run()
seconds, value = run()
print(seconds, value)
`;

// lossflow's library timed as PyTorch's loop is: a second run in the same process (the first one
// loads the modules, compiles the kernels and starts the worker threads, which the second reuses).
const LOSSFLOW_LOOP = `
const [rx, rxNode, path, threads] = process.argv.slice(1);
const { crossEntropy, reduce } = await import(rx);
const { fromFile } = await import(rxNode);
const run = () =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    let value;
    fromFile(path, { threads: Number(threads) })
      .pipe(crossEntropy(), reduce('mean'))
      .subscribe({
        next: (v) => {
          value = v;
        },
        error: reject,
        complete: () => resolve({ seconds: (performance.now() - t0) / 1e3, value: String(value) }),
      });
  });
await run();
console.log(JSON.stringify(await run()));
`;

const RX = ['index.js', 'node.js'].map((f) => new URL(`../../packages/rx/dist/${f}`, import.meta.url).href);

/**
 * A Node ES module script that times itself, run as a process: its `{ seconds, value }` (printed
 * as JSON) with the process's CPU and peak RSS.
 */
async function selfTimed(script, scriptArgs) {
  const run = await timed(process.execPath, ['--input-type=module', '-e', script, ...scriptArgs]);
  const { seconds, value } = JSON.parse(run.stdout);
  return { ...run, seconds, value };
}

const lossflowLoop = (path) => () => selfTimed(LOSSFLOW_LOOP, [...RX, path, String(CORES)]);

function findTorch() {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return undefined;
}

async function torchLoop(torch, kind, a, b, rows, width) {
  const run = await timed(torch.python, [
    '-c',
    TORCH,
    kind,
    String(CORES),
    a,
    b,
    String(rows),
    String(width),
  ]);
  const [seconds, value] = run.stdout.trim().split(' ').map(Number);
  return { seconds, value, cpu: undefined, peak: undefined };
}

const evalRun =
  (path, loss = []) =>
  () =>
    timed(process.execPath, [BIN, 'eval', path, ...loss, '--format', 'json', '--threads', String(CORES)]);
const plainRead = (path) => () => timed(process.execPath, ['-e', PLAIN_READ, path]);
const duckdbRead = (path) => () => selfTimed(DUCKDB_READ, [duckdbModule, path, String(CORES)]);

/**
 * Runs every measurement interleaved: a warm-up run of each, then RUNS rounds that each run every
 * measurement once (so a burst of load on a shared machine hits all cases alike, not one case's
 * runs), a measurement whose warm-up took over SLOW_SECONDS only in the first round. Returns each
 * one's median run (see `medianRun`) by key.
 */
async function interleaved(measurements) {
  const runs = new Map();
  const slow = new Set();
  for (const [key, { what, run }] of measurements) {
    log(`warm-up: ${what}`);
    const warm = await run();
    if (warm.seconds > SLOW_SECONDS) slow.add(key);
    runs.set(key, { warm, runs: [] });
  }
  for (let round = 0; round < RUNS; round++) {
    log(`round ${round + 1} of ${RUNS}`);
    for (const [key, { run }] of measurements) {
      if (round > 0 && slow.has(key)) continue;
      runs.get(key).runs.push(await run());
    }
  }
  const medians = new Map();
  for (const [key, { warm, runs: r }] of runs) {
    const m = medianRun(r);
    // The warm-up's peak RSS counts too.
    const peak = [m.peak, warm.peak].filter((p) => p !== undefined);
    medians.set(key, { ...m, peak: peak.length === 0 ? undefined : Math.max(...peak) });
  }
  return medians;
}

const torch = SKIP.has('torch') ? undefined : findTorch();
const withDuckdb = !SKIP.has('duckdb') && duckdbModule !== undefined;
const values = [];
/** key → { what, run }: every timed process of this benchmark, in the order they run in a round. */
const measurements = new Map();

// ---- cross-entropy over the same rows in every layout ----
const cases = [];
if (!SKIP.has('ipc')) {
  for (const batchRows of [8192, 65_536, 1_000_000])
    cases.push({
      name: `IPC stream, ${batchRows.toLocaleString('en')}-row batches`,
      path: await ipcLog(batchRows),
    });
}
if (!SKIP.has('parquet')) {
  const lossflow = await lossflowParquet();
  if (duckdbModule !== undefined) {
    cases.push({
      name: 'Parquet by DuckDB (SNAPPY defaults)',
      path: await duckdbParquet('snappy', '', lossflow),
    });
    cases.push({
      name: 'Parquet by DuckDB (ZSTD)',
      path: await duckdbParquet('zstd', ", COMPRESSION 'zstd'", lossflow),
    });
    cases.push({
      name: 'Parquet by DuckDB (1M-row groups)',
      path: await duckdbParquet('rg1m', ', ROW_GROUP_SIZE 1000000', lossflow),
    });
  } else log('DuckDB (@duckdb/node-api) not found: its Parquet files and reads are left out');
  cases.push({ name: 'Parquet by lossflow (8,192-row groups)', path: lossflow });
}
for (const [i, c] of cases.entries()) {
  measurements.set(`ce:${i}`, { what: `lossflow cross-entropy over ${c.path}`, run: evalRun(c.path) });
  measurements.set(`read:${i}`, { what: `plain read of ${c.path}`, run: plainRead(c.path) });
  measurements.set(`loop:${i}`, {
    what: `lossflow's library, warm, over ${c.path}`,
    run: lossflowLoop(c.path),
  });
  if (c.path.endsWith('.parquet') && withDuckdb)
    measurements.set(`duckdb:${i}`, { what: `DuckDB's full read of ${c.path}`, run: duckdbRead(c.path) });
}
if (torch !== undefined && cases.length > 0) {
  const raw = await rawLog();
  measurements.set('torch:ce', {
    what: 'PyTorch cross-entropy over the raw copy',
    run: () => torchLoop(torch, 'ce', raw.logits, raw.targets, ROWS, CLASSES),
  });
}

// Metrics ride the losses' pass (issue 16: target ≥ 80% of cross-entropy alone's throughput),
// over the first case (the 8,192-row IPC stream unless it is skipped).
const METRIC_ARGS = [
  '--metric',
  'accuracy',
  '--metric',
  'top-k-accuracy',
  '--k',
  '5',
  '--metric',
  'calibration-error',
];
const metricsCase = SKIP.has('metrics') ? undefined : cases[0];
if (metricsCase !== undefined) {
  measurements.set('metrics', {
    what: `lossflow cross-entropy + accuracy + top-5 + ECE over ${metricsCase.path}`,
    run: evalRun(metricsCase.path, ['--loss', 'cross-entropy', ...METRIC_ARGS]),
  });
}

// ---- MSE over a big IPC stream: bound by the read ----
let mse;
if (!SKIP.has('mse') && MSE_ROWS > 0) {
  const fields = [new Field('input', new Float32(), false), new Field('target', new Float32(), false)];
  const schema = new Schema(fields);
  const name = `regression-${label(MSE_ROWS)}`;
  const raw = { input: join(CACHE, `${name}.input.f32`), target: join(CACHE, `${name}.target.f32`) };
  const path = await cached(`${name}.arrows`, async (partial) => {
    const out = writeIpcStream(partial, schema);
    const fx = openSync(`${raw.input}.partial`, 'w');
    const fy = openSync(`${raw.target}.partial`, 'w');
    const x = new Float32Array(MSE_BATCH);
    const y = new Float32Array(MSE_BATCH);
    let state = 12345;
    for (let start = 0; start < MSE_ROWS; start += MSE_BATCH) {
      const n = Math.min(MSE_BATCH, MSE_ROWS - start);
      for (let i = 0; i < n; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        x[i] = state / 2 ** 31 - 1;
        y[i] = x[i] + ((state & 0xffff) / 65536 - 0.5) * 0.2;
      }
      const children = [
        makeData({ type: new Float32(), length: n, data: x.subarray(0, n) }),
        makeData({ type: new Float32(), length: n, data: y.subarray(0, n) }),
      ];
      await out.write(new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children })));
      append(fx, x.subarray(0, n));
      append(fy, y.subarray(0, n));
    }
    await out.close();
    closeSync(fx);
    closeSync(fy);
    renameSync(`${raw.input}.partial`, raw.input);
    renameSync(`${raw.target}.partial`, raw.target);
  });
  mse = { path, bytes: statSync(path).size };
  measurements.set('mse', { what: `lossflow MSE over ${path}`, run: evalRun(path, ['--loss', 'mse']) });
  measurements.set('mse:read', { what: `plain read of ${path}`, run: plainRead(path) });
  if (torch !== undefined) {
    measurements.set('mse:torch', {
      what: 'PyTorch MSE over the raw copy',
      run: () => torchLoop(torch, 'mse', raw.input, raw.target, MSE_ROWS, 1),
    });
  }
}

const fixture = fileURLToPath(new URL('../../fixtures/epoch-log.arrows', import.meta.url));
measurements.set('startup', { what: 'a lossflow eval process on a 148-row file', run: evalRun(fixture) });

const loadBefore = loadavg()[0];
const results = await interleaved(measurements);
const loadAfter = loadavg()[0];
const value = (key) => JSON.parse(results.get(key).stdout).results[0].value;

console.log(
  `\nlossflow eval end to end (process start to JSON output), ${CORES} threads, on ${CORES} cores; median of ${RUNS} interleaved run(s) after a warm-up of each (one run where the warm-up took over ${SLOW_SECONDS} s); CPU is that run's user + system; peak RSS the highest of all runs. Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after: the machine may be shared, compare rows within one run.`,
);

const torchCe = results.get('torch:ce');
if (torchCe !== undefined) values.push(`cross-entropy: PyTorch ${torchCe.value}`);
if (cases.length > 0) {
  const small = results.get('ce:0').seconds;
  const lines = cases.map((c, i) => {
    const bytes = statSync(c.path).size;
    const lossflow = results.get(`ce:${i}`);
    const read = results.get(`read:${i}`);
    const duck = results.get(`duckdb:${i}`);
    values.push(`${c.name}: lossflow ${value(`ce:${i}`)}`);
    return [
      c.name,
      mb(bytes),
      ms(lossflow.seconds),
      fmtCount(ROWS / lossflow.seconds),
      gbps(bytes, lossflow.seconds),
      cpu(lossflow.cpu),
      mb(lossflow.peak),
      speed(small, lossflow.seconds),
      duck === undefined ? '-' : `${ms(duck.seconds)}, ${mb(duck.peak)}`,
      duck === undefined ? '-' : speed(duck.seconds, lossflow.seconds),
      speed(torchCe?.seconds, lossflow.seconds),
      `${ms(read.seconds)} (${gbps(bytes, read.seconds)} GB/s)`,
      percent(read.seconds, lossflow.seconds),
    ];
  });
  console.log(
    `\nCross-entropy over the same ${ROWS.toLocaleString('en')} rows × ${CLASSES} float32 logits + int64 targets. "vs 8,192" is the 8,192-row IPC stream's time over this row's; DuckDB is \`SELECT sum(list_sum(logits)), sum(target)\` over the same file (query time, ${CORES} threads; peak RSS of its process); ${torch === undefined ? 'PyTorch: not found' : `PyTorch ${torch.version} is F.cross_entropy over 65,536-row chunks read (readinto, reused buffers) from a raw copy, ${CORES} threads, loop only: ${ms(torchCe?.seconds)}`}; plain read is fs.readSync of the file into a reused 8 MB buffer (a process), and "of read" its time over lossflow's. Ratios above 1x: lossflow is faster.\n`,
  );
  console.log(
    formatTable(
      [
        'file',
        'size',
        'lossflow',
        'rows/s',
        'GB/s',
        'CPU',
        'peak RSS',
        'vs 8,192',
        'DuckDB',
        'vs DuckDB',
        'vs PyTorch',
        'plain read',
        'of read',
      ],
      lines,
    ),
  );
}
if (cases.length > 0) {
  console.log(
    `\nThe same cross-entropy timed as PyTorch's loop is (the second run in one process, after a warm-up run that loads the modules, compiles the kernels and starts the worker threads): \`fromFile(path, { threads: ${CORES} }).pipe(crossEntropy(), reduce('mean'))\` from @lossflow/rx. "vs PyTorch" is PyTorch's loop time over this one's.\n`,
  );
  console.log(
    formatTable(
      ['file', 'lossflow loop', 'rows/s', 'GB/s', 'vs PyTorch', 'whole process'],
      cases.map((c, i) => {
        const loop = results.get(`loop:${i}`);
        const bytes = statSync(c.path).size;
        values.push(`${c.name} (library): lossflow ${loop.value}`);
        return [
          c.name,
          ms(loop.seconds),
          fmtCount(ROWS / loop.seconds),
          gbps(bytes, loop.seconds),
          speed(torchCe?.seconds, loop.seconds),
          ms(results.get(`ce:${i}`).seconds),
        ];
      }),
    ),
  );
}
if (metricsCase !== undefined) {
  const alone = results.get('ce:0');
  const withMetrics = results.get('metrics');
  const bytes = statSync(metricsCase.path).size;
  console.log(
    `\nMetrics in the same pass (issue 16: target ≥ 80% of cross-entropy alone's throughput), over ${metricsCase.name}.\n`,
  );
  console.log(
    formatTable(
      ['eval', 'time', 'rows/s', 'GB/s', 'CPU', 'peak RSS', 'of CE alone'],
      [
        ['cross-entropy alone', alone, alone],
        ['cross-entropy + accuracy + top-5 + ECE', withMetrics, alone],
      ].map(([what, r, base]) => [
        what,
        ms(r.seconds),
        fmtCount(ROWS / r.seconds),
        gbps(bytes, r.seconds),
        cpu(r.cpu),
        mb(r.peak),
        percent(base.seconds, r.seconds),
      ]),
    ),
  );
}
if (mse !== undefined) {
  const lossflow = results.get('mse');
  const read = results.get('mse:read');
  const torchMse = results.get('mse:torch');
  values.push(`MSE: lossflow ${value('mse')}${torchMse === undefined ? '' : `, PyTorch ${torchMse.value}`}`);
  console.log(
    `\nMSE over ${MSE_ROWS.toLocaleString('en')} float32 (input, target) pairs, an Arrow IPC stream of ${(mse.bytes / 1e9).toFixed(2)} GB in ${MSE_BATCH.toLocaleString('en')}-row batches (GB/s counts the file's bytes; "of read": plain read's time over this row's; target ≥ 80%).\n`,
  );
  console.log(
    formatTable(
      ['MSE', 'time', 'rows/s', 'GB/s', 'CPU', 'peak RSS', 'of read'],
      [
        ['lossflow eval', lossflow],
        ...(torchMse === undefined ? [] : [['PyTorch loop (raw copy, loop only)', torchMse]]),
        ['plain fs.readSync, 8 MB reused buffer', read],
      ].map(([what, r]) => [
        what,
        ms(r.seconds),
        fmtCount(MSE_ROWS / r.seconds),
        gbps(mse.bytes, r.seconds),
        cpu(r.cpu),
        mb(r.peak),
        percent(read.seconds, r.seconds),
      ]),
    ),
  );
}
const startup = results.get('startup');
console.log(`\nvalues: ${values.join('; ')}`);
console.log(
  `fixed cost of a lossflow eval process (node start, module loading, worker start-up; 148-row file): ${ms(startup.seconds)}, CPU ${cpu(startup.cpu)}`,
);
