// `pnpm bench:nats` (after scripts/bench/nats.mjs): local `lossflow eval` against a distributed
// run on loopback (a coordinator and 2 workers of 1 thread each: the same 2 threads in total)
// over a ≥ 3 GB Arrow IPC log. Measures; never asserts (besides both printing the same result).
// Target: distributed ≥ 75% of local throughput. Needs nats-server (scripts/ensure-nats.sh) and a built CLI.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from './harness.mjs';

const BIN = fileURLToPath(new URL('../../apps/cli/bundle/bin.js', import.meta.url));
const DIR = '/tmp/lossflow-bench/nats';
const LOG = join(DIR, 'train-800k-10-100.arrows');
const RUNS = 3;
const EVAL_ARGS = ['eval', LOG, '--by', 'epoch', '--format', 'json', '--quiet'];

mkdirSync(DIR, { recursive: true });
if (!existsSync(LOG)) {
  console.log(`generating ${LOG} …`);
  execFileSync(
    process.execPath,
    [BIN, 'generate', '--rows', '800000', '--epochs', '10', '--classes', '100', '--out', LOG, '--quiet'],
    {
      stdio: 'inherit',
    },
  );
}
const bytes = statSync(LOG).size;
const rows = 8_000_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs the CLI to completion; returns [seconds, stdout]. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`lossflow ${args.join(' ')} exited with ${code}`));
      else resolve([Number(process.hrtime.bigint() - t0) / 1e9, out]);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const store = mkdtempSync(join(tmpdir(), 'lossflow-bench-nats-'));
const port = await freePort();
const config = join(store, 'nats.conf');
writeFileSync(
  config,
  `host: 127.0.0.1\nport: ${port}\nmax_payload: 8MB\njetstream { store_dir: ${JSON.stringify(join(store, 'js'))} }\n`,
);
const server = spawn(
  existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server',
  ['-c', config],
  {
    stdio: 'ignore',
  },
);
const url = `nats://127.0.0.1:${port}`;
const workers = [0, 1].map(() =>
  spawn(process.execPath, [BIN, 'worker', '--nats', url, '--threads', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  }),
);
// Both workers connected (the server is up) before anything is timed.
await Promise.all(
  workers.map(
    (w) =>
      new Promise((resolve) => {
        let err = '';
        w.stderr.setEncoding('utf8').on('data', (d) => {
          err += d;
          if (err.includes('serving runs')) resolve();
        });
      }),
  ),
);
try {
  const local = [];
  const distributed = [];
  let localOut;
  let distOut;
  // Interleaved, so a noisy neighbour slows both alike.
  for (let i = 0; i < RUNS; i++) {
    const [l, lo] = await timed([...EVAL_ARGS, '--threads', '2']);
    const [d, dout] = await timed([...EVAL_ARGS, '--nats', url]);
    local.push(l);
    distributed.push(d);
    localOut = lo;
    distOut = dout;
  }
  if (localOut !== distOut) throw new Error('the distributed result differs from the local one');
  const base = { name: 'local --threads 2', seconds: median(local) };
  printTable(
    `lossflow eval, ${(bytes / 1e9).toFixed(2)} GB Arrow IPC (${rows.toLocaleString('en-US')} rows × 100 classes), median of ${RUNS}`,
    [
      { name: 'local eval --threads 2', rows, bytes, seconds: base.seconds },
      {
        name: 'coordinator + 2 workers × 1 thread',
        rows,
        bytes,
        seconds: median(distributed),
        baseline: base,
      },
    ],
  );
  console.log('results identical: yes');
} finally {
  for (const w of workers) w.kill('SIGTERM');
  server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(store, { recursive: true, force: true });
}
