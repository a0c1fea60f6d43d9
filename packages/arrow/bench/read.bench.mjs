// Reading speed and memory of @lossflow/arrow against a plain fs.readSync of the same file.
// Run with `pnpm --filter @lossflow/arrow bench` (after `pnpm build`). The generated logs are cached in
// os.tmpdir()/lossflow-bench (about 6.8 GB); delete that folder to reclaim the space.
// Benchmarks measure; they never assert.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianAsync, printTable } from '../../../scripts/bench/harness.mjs';
import { batchTensors } from '../dist/index.js';
import { mapBatchesInWorkers, readFile as readBatches, writeTrainingLog } from '../dist/node.js';
import { touchTensors } from './touchTensors.mjs';

const CACHE = join(tmpdir(), 'lossflow-bench');
const CLASSES = 100;
const MAIN = { rows: 2_000_000, classes: CLASSES, epochs: 1, batchRows: 16_384, seed: 7 };
// 10.5 M rows of 100 float32 logits plus the key columns: 4.37 GB.
const BIG = { rows: 10_500_000, classes: CLASSES, epochs: 1, batchRows: 16_384, seed: 8 };

/** Sums every logit and target through the tensor views: the least work a loss does. */
async function readAndTouch(path, { sampleRss = false, ...options } = {}) {
  let rows = 0;
  let sum = 0;
  let targets = 0;
  let peakRss = 0;
  for await (const batch of readBatches(path, options)) {
    const { tensors } = batchTensors(batch, { input: 'logits', target: 'target' });
    const touched = touchTensors(tensors);
    sum += touched.sum;
    targets += touched.targets;
    rows += batch.numRows;
    if (sampleRss) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  return { rows, sum, targets, peakRss };
}

/**
 * The same through the block reader of mapBatchesInWorkers (what `fromFile` with `threads` and
 * `lossflow eval` use): each thread reads a batch's column bytes into one reused region.
 */
async function blocksAndTouch(path, threads) {
  const COLUMNS = { input: 'logits', target: 'target' };
  const reader = mapBatchesInWorkers(
    path,
    () => ({
      columns: Object.values(COLUMNS),
      task: { module: new URL('./touchTask.mjs', import.meta.url), data: { columns: COLUMNS } },
    }),
    { threads, inThisThread: true },
  );
  let rows = 0;
  for await (const { value } of reader) rows += value.rows;
  return { rows };
}

/** The baseline: the whole file through one reused buffer with fs.readSync, nothing decoded. */
function plainRead(path) {
  const buffer = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(path, 'r');
  let total = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    total += n;
  }
  closeSync(fd);
  return total;
}

async function cached(name, format, options) {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, name);
  if (!existsSync(path)) {
    const t0 = performance.now();
    const partial = `${path}.partial`;
    const { bytes } = await writeTrainingLog(partial, format, options);
    renameSync(partial, path);
    console.log(
      `generated ${path}: ${(bytes / 1e9).toFixed(2)} GB in ${((performance.now() - t0) / 1e3).toFixed(1)} s`,
    );
  }
  return { path, bytes: statSync(path).size };
}

// The streaming run goes in a child process, so its peak RSS is its own (not the generator's).
if (process.argv[2] === '--stream-child') {
  const t0 = performance.now();
  const result = await readAndTouch(process.argv[3], {
    sampleRss: true,
    reuseBuffers: process.argv[4] === 'reuse',
  });
  const seconds = (performance.now() - t0) / 1e3;
  // VmHWM is this process's own peak; getrusage's maxRSS can carry the parent's over fork and exec.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const maxRss = hwm !== null ? Number(hwm[1]) * 1024 : result.peakRss;
  console.log(JSON.stringify({ rows: result.rows, seconds, maxRss, sampledRss: result.peakRss }));
  process.exit(0);
}

const stream = await cached('train-2m-100.arrows', 'arrow-stream', MAIN);
const file = await cached('train-2m-100.arrow', 'arrow-file', MAIN);
const parquet = await cached('train-2m-100.parquet', 'parquet', { ...MAIN, batchRows: 65_536 });
const big = await cached('train-10m-100.arrows', 'arrow-stream', BIG);

const rows = [];
for (const [label, f, cases] of [
  ['IPC stream', stream, [{}, { reuseBuffers: true }]],
  ['IPC file', file, [{}, { reuseBuffers: true }]],
  ['Parquet (snappy)', parquet, [{}]],
]) {
  plainRead(f.path); // warm the page cache
  const base = await medianAsync(async () => plainRead(f.path), 5);
  rows.push({
    name: `${label}: fs.readSync, 8 MiB buffer reused, no decoding`,
    rows: MAIN.rows,
    bytes: f.bytes,
    seconds: base,
  });
  for (const options of cases) {
    const seconds = await medianAsync(() => readAndTouch(f.path, options), 3);
    const name = `${label}: readBatches + tensors${options.reuseBuffers ? ', reuseBuffers' : ''}`;
    rows.push({
      name,
      rows: MAIN.rows,
      bytes: f.bytes,
      seconds,
      baseline: { name: 'fs.readSync', seconds: base },
    });
  }
  if (label.startsWith('IPC')) {
    for (const threads of [1, availableParallelism()]) {
      const seconds = await medianAsync(() => blocksAndTouch(f.path, threads), 3);
      rows.push({
        name: `${label}: block reader + tensors, ${threads === 1 ? 'this thread only' : `${threads} threads`}`,
        rows: MAIN.rows,
        bytes: f.bytes,
        seconds,
        baseline: { name: 'fs.readSync', seconds: base },
      });
    }
  }
}
printTable(
  `read ${MAIN.rows.toLocaleString('en')} rows × ${CLASSES} float32 logits, touching every value (GB/s of the file's bytes; median of 3)`,
  rows,
);

const streaming = [];
for (const mode of ['new', 'reuse']) {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--stream-child', big.path, mode],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) {
    console.log(child.stdout, child.stderr);
    continue;
  }
  const r = JSON.parse(child.stdout.trim().split('\n').pop());
  const name = `IPC stream: readBatches + tensors${mode === 'reuse' ? ', reuseBuffers' : ''}; peak RSS ${(r.maxRss / 1e6).toFixed(0)} MB`;
  streaming.push({ name, rows: r.rows, bytes: big.bytes, seconds: r.seconds });
}
printTable(
  `stream a ${(big.bytes / 1e9).toFixed(2)} GB IPC stream in a fresh process (one run each)`,
  streaming,
);
