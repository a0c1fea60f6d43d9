// End-to-end benchmark of `lossflow eval` (process start to JSON output) against a plain read of
// the same file and against PyTorch CPU on the same data, plus the peak RSS of streaming a file of
// more than 4 GB. Run with `pnpm bench:e2e` (which builds first). The inputs are generated once
// and cached in os.tmpdir()/lossflow-bench/e2e (about 11 GB); delete that folder to reclaim them.
// Benchmarks measure; they never assert.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Field, Float32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { trainingLogBatches } from '../../packages/arrow/dist/index.js';
import { writeIpcStream } from '../../packages/arrow/dist/node.js';

const CACHE = join(tmpdir(), 'lossflow-bench', 'e2e');
const BIN = fileURLToPath(new URL('../../apps/cli/bundle/bin.js', import.meta.url));
const CORES = availableParallelism();
const RUNS = 5;

const CE = { rows: 2_000_000, classes: 100, epochs: 1, batchRows: 16_384, seed: 7 };
const MSE_ROWS = 200_000_000;
const MSE_BATCH = 1 << 20;
// 10 M rows of 100 float32 logits plus the key columns: 4.2 GB, for the peak-RSS run.
const BIG = { rows: 10_000_000, classes: 100, epochs: 1, batchRows: 16_384, seed: 8 };

const log = (message) => process.stderr.write(`${message}\n`);

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

/** The training log as an Arrow IPC stream, and (for PyTorch) its logits and targets as raw binary. */
async function trainingLog(name, options, raw) {
  let logits;
  let targets;
  const path = await cached(`${name}.arrows`, async (partial) => {
    const out = writeIpcStream(partial);
    const fx = raw ? openSync(`${partial}.logits.f32`, 'w') : undefined;
    const ft = raw ? openSync(`${partial}.target.i64`, 'w') : undefined;
    for (const batch of trainingLogBatches(options)) {
      await out.write(batch);
      if (raw) {
        append(fx, batch.getChild('logits').data[0].children[0].values);
        append(ft, batch.getChild('target').data[0].values);
      }
    }
    await out.close();
    if (raw) {
      closeSync(fx);
      closeSync(ft);
      renameSync(`${partial}.logits.f32`, join(CACHE, `${name}.logits.f32`));
      renameSync(`${partial}.target.i64`, join(CACHE, `${name}.target.i64`));
    }
  });
  if (raw) {
    logits = join(CACHE, `${name}.logits.f32`);
    targets = join(CACHE, `${name}.target.i64`);
  }
  return { path, logits, targets, bytes: statSync(path).size, rows: options.rows * options.epochs };
}

/** 2 × 10^8 (input, target) float32 pairs as an Arrow IPC stream, and as raw binary for PyTorch. */
async function regression() {
  const fields = [new Field('input', new Float32(), false), new Field('target', new Float32(), false)];
  const schema = new Schema(fields);
  const path = await cached('regression-2e8.arrows', async (partial) => {
    const out = writeIpcStream(partial, schema);
    const fx = openSync(`${partial}.input.f32`, 'w');
    const fy = openSync(`${partial}.target.f32`, 'w');
    let state = 12345;
    for (let start = 0; start < MSE_ROWS; start += MSE_BATCH) {
      const n = Math.min(MSE_BATCH, MSE_ROWS - start);
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        x[i] = state / 2 ** 31 - 1;
        y[i] = x[i] + ((state & 0xffff) / 65536 - 0.5) * 0.2;
      }
      const children = [
        makeData({ type: new Float32(), length: n, data: x }),
        makeData({ type: new Float32(), length: n, data: y }),
      ];
      await out.write(new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children })));
      append(fx, x);
      append(fy, y);
    }
    await out.close();
    closeSync(fx);
    closeSync(fy);
    renameSync(`${partial}.input.f32`, join(CACHE, 'regression-2e8.input.f32'));
    renameSync(`${partial}.target.f32`, join(CACHE, 'regression-2e8.target.f32'));
  });
  return {
    path,
    input: join(CACHE, 'regression-2e8.input.f32'),
    target: join(CACHE, 'regression-2e8.target.f32'),
    bytes: statSync(path).size,
    rows: MSE_ROWS,
  };
}

/** Wall time of a child process from spawn to exit, and its stdout. */
function timed(command, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve({ seconds, stdout, stderr });
    });
  });
}

/**
 * The peak RSS of a command: its maximum resident set as GNU time reports it, or else the
 * highest VmHWM read from /proc while it runs (sampled, so a peak in its last moments may be missed).
 */
async function peakRss(command, args) {
  if (existsSync('/usr/bin/time')) {
    const run = await timed('/usr/bin/time', ['-f', '%M', command, ...args]);
    return { ...run, peak: Number(run.stderr.trim().split('\n').pop()) * 1024, how: 'GNU time maxrss' };
  }
  const child = spawn(command, args, { stdio: 'ignore' });
  const t0 = process.hrtime.bigint();
  let peak = 0;
  const sample = setInterval(() => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (kb !== null) peak = Math.max(peak, Number(kb[1]) * 1024);
    } catch {
      // The process has ended.
    }
  }, 20);
  await new Promise((resolve) => child.on('close', resolve));
  clearInterval(sample);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, peak, how: 'VmHWM sampled every 20 ms' };
}

/** Median of `RUNS` runs (after one warm-up run that fills the page cache and the OS file cache). */
async function median(run) {
  await run();
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await run());
  results.sort((a, b) => a.seconds - b.seconds);
  return results[Math.floor(results.length / 2)];
}

const PLAIN_READ = `
const fs = require('node:fs');
const buffer = Buffer.allocUnsafe(8 << 20);
const fd = fs.openSync(process.argv[1], 'r');
let total = 0;
for (;;) { const n = fs.readSync(fd, buffer, 0, buffer.length, null); if (n === 0) break; total += n; }
console.log(total);
`;

// Prints the loop's median time over RUNS runs (after a warm-up) and the loss ('mean'), or, with
// 'once', runs the loop once (the process's wall time is then PyTorch end to end).
const TORCH = `
import sys, time, warnings, numpy as np, torch, torch.nn.functional as F
warnings.filterwarnings('ignore')
torch.set_num_threads(int(sys.argv[2]))
kind, a, b, rows, width, mode = sys.argv[1], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
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
if mode == 'once':
    run()
else:
    run()
    times = sorted(run() for _ in range(${RUNS}))
    print(times[len(times) // 2][0], times[0][1])
`;

function findTorch() {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return undefined;
}

const fmt = (x) =>
  x >= 1e9
    ? `${(x / 1e9).toFixed(2)} G`
    : x >= 1e6
      ? `${(x / 1e6).toFixed(2)} M`
      : `${(x / 1e3).toFixed(2)} k`;

function table(rows) {
  const header = ['case', 'time', 'rows/s', 'GB/s', 'vs PyTorch loop', 'vs PyTorch process', 'vs plain read'];
  const ratio = (base, r) => (base === undefined ? '-' : `${(base / r.seconds).toFixed(2)}x`);
  const lines = rows.map((r) => [
    r.name,
    `${(r.seconds * 1e3).toFixed(0)} ms`,
    fmt(r.rows / r.seconds),
    (r.bytes / r.seconds / 1e9).toFixed(2),
    ratio(r.torch, r),
    ratio(r.torchProcess, r),
    r.read === undefined ? '-' : `${((r.read / r.seconds) * 100).toFixed(0)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
}

const ce = await trainingLog('train-2m-100', CE, true);
const mse = await regression();
const big = await trainingLog('train-10m-100', BIG, false);
const torch = findTorch();

// First, and read once: a file read twice is kept by the page cache ahead of what comes next, and
// this machine's page cache does not hold all the inputs at once; the RSS does not depend on it.
log(`streaming ${big.path} with ${CORES} threads for the peak RSS`);
const streamed = await peakRss(process.execPath, [
  BIN,
  'eval',
  big.path,
  '--format',
  'json',
  '--threads',
  String(CORES),
]);

const rows = [];
const values = [];
for (const [label, data, loss, torchArgs] of [
  ['cross-entropy', ce, [], ['ce', ce.logits, ce.targets, String(ce.rows), String(CE.classes)]],
  ['MSE', mse, ['--loss', 'mse'], ['mse', mse.input, mse.target, String(mse.rows), '1']],
]) {
  log(`measuring ${label} over ${data.path}`);
  const read = await median(() => timed(process.execPath, ['-e', PLAIN_READ, data.path]));
  let torchLoop;
  let torchProcess;
  if (torch !== undefined) {
    const args = (mode) => ['-c', TORCH, torchArgs[0], String(CORES), ...torchArgs.slice(1), mode];
    const loop = await timed(torch.python, args('median'));
    const [seconds, value] = loop.stdout.trim().split(' ').map(Number);
    torchLoop = seconds;
    torchProcess = (await median(() => timed(torch.python, args('once')))).seconds;
    values.push(`${label}: PyTorch ${value}`);
  }
  const evalRun = (threads) => () =>
    timed(process.execPath, [
      BIN,
      'eval',
      data.path,
      ...loss,
      '--format',
      'json',
      '--threads',
      String(threads),
    ]);
  const one = await median(evalRun(1));
  const all = await median(evalRun(CORES));
  values.push(
    `${label}: lossflow ${JSON.parse(all.stdout).results[0].value} (${CORES} threads), ${JSON.parse(one.stdout).results[0].value} (1 thread)`,
  );
  const base = { rows: data.rows, bytes: data.bytes, torch: torchLoop, torchProcess, read: read.seconds };
  rows.push({ name: `${label}: lossflow eval, 1 thread`, seconds: one.seconds, ...base });
  rows.push({ name: `${label}: lossflow eval, ${CORES} threads`, seconds: all.seconds, ...base });
  if (torch !== undefined) {
    rows.push({ name: `${label}: PyTorch CPU, ${CORES} threads, loop only`, seconds: torchLoop, ...base });
    rows.push({ name: `${label}: PyTorch CPU, ${CORES} threads, process`, seconds: torchProcess, ...base });
  }
  rows.push({ name: `${label}: plain fs.readSync (process)`, seconds: read.seconds, ...base });
}

// Metrics ride the losses' pass (issue 16: target ≥ 80% of cross-entropy alone's throughput).
log(`measuring cross-entropy + accuracy + top-5 + ECE over ${ce.path}`);
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
const withMetrics = await median(() =>
  timed(process.execPath, [
    BIN,
    'eval',
    ce.path,
    '--loss',
    'cross-entropy',
    ...METRIC_ARGS,
    '--format',
    'json',
    '--threads',
    String(CORES),
  ]),
);
rows.push({
  name: `cross-entropy + accuracy + top-5 + ECE: lossflow eval, ${CORES} threads`,
  seconds: withMetrics.seconds,
  rows: ce.rows,
  bytes: ce.bytes,
});

log('measuring the fixed cost of a lossflow eval process (148-row fixture)');
const fixture = fileURLToPath(new URL('../../fixtures/epoch-log.arrows', import.meta.url));
const startup = await median(() =>
  timed(process.execPath, [BIN, 'eval', fixture, '--format', 'json', '--threads', String(CORES)]),
);

console.log(
  `\nlossflow eval end to end (process start to JSON output) on ${CORES} cores; median of ${RUNS} runs after a warm-up run.`,
);
console.log(
  `cross-entropy: ${CE.rows.toLocaleString('en')} rows × ${CE.classes} float32 logits + int64 targets, Arrow IPC stream of ${(ce.bytes / 1e9).toFixed(2)} GB (${CE.batchRows.toLocaleString('en')}-row batches).`,
);
console.log(
  `MSE: ${MSE_ROWS.toExponential(0)} float32 (input, target) pairs, Arrow IPC stream of ${(mse.bytes / 1e9).toFixed(2)} GB. GB/s counts the file's bytes.`,
);
console.log(
  torch === undefined
    ? 'PyTorch: skipped (no python3 with torch found).'
    : `PyTorch ${torch.version}: F.cross_entropy / F.mse_loss over 65,536-row chunks read (readinto, buffers allocated once) from raw binary copies; "loop only" is timed inside Python, "process" is python3 start + import torch + one loop. Ratios: PyTorch loop / this row, PyTorch process / this row, this row's GB/s / plain read's.`,
);
console.log('');
table(rows);
console.log(`\nvalues: ${values.join('; ')}`);
console.log(
  `fixed cost of a lossflow eval process (node start, module loading, worker start-up; 148-row file): ${(startup.seconds * 1e3).toFixed(0)} ms`,
);
console.log(
  `streaming ${(big.bytes / 1e9).toFixed(2)} GB (${(BIG.rows * BIG.epochs).toLocaleString('en')} rows × ${BIG.classes} logits) with ${CORES} threads, read once (page cache as found): ${streamed.seconds.toFixed(2)} s end to end = ${(big.bytes / streamed.seconds / 1e9).toFixed(2)} GB/s (${(big.bytes / (streamed.seconds - startup.seconds) / 1e9).toFixed(2)} GB/s net of the fixed cost); peak RSS ${(streamed.peak / 1e6).toFixed(0)} MB (${streamed.how})`,
);
