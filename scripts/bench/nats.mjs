// Benchmark of lossflow on NATS JetStream, on a local nats-server (127.0.0.1, JetStream file
// storage in os.tmpdir()/lossflow-bench): live runs (publishBatches, then fromJetStream reading the
// run back, alone and into cross-entropy) beside reading the same file locally. Run with
// `pnpm bench:nats` (which builds first, then runs scripts/bench/natsDistributed.mjs for the
// distributed rows: a table of its own). Benchmarks measure; they never assert.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingLogBatches } from '../../packages/arrow/dist/index.js';
import { readFile, writeIpcStream } from '../../packages/arrow/dist/node.js';
import { fromJetStream, publishBatches } from '../../packages/nats/dist/index.js';
import { connectNats } from '../../packages/nats/dist/node.js';
import { crossEntropy, fromBatches, reduce } from '../../packages/rx/dist/index.js';
import { medianAsync, printTable } from './harness.mjs';

const BENCH = join(tmpdir(), 'lossflow-bench');
const CACHE = join(BENCH, 'e2e');
// 2 M rows of 100 float32 logits (840 MB) in 16,384-row batches (6.6 MB messages): the e2e bench's input.
const CE = { rows: 2_000_000, classes: 100, epochs: 1, batchRows: 16_384, seed: 7 };
const RUNS = 3;

/** The last value of an observable (the root has no RxJS of its own to import). */
function lastValueFrom(observable) {
  return new Promise((resolve, reject) => {
    let last;
    observable.subscribe({ next: (v) => (last = v), error: reject, complete: () => resolve(last) });
  });
}

const log = (message) => process.stderr.write(`${message}\n`);

async function input() {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, 'train-2m-100.arrows');
  if (!existsSync(path)) {
    const writer = writeIpcStream(`${path}.partial`);
    for (const batch of trainingLogBatches(CE)) await writer.write(batch);
    await writer.close();
    spawnSync('mv', [`${path}.partial`, path]);
  }
  return path;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A nats-server with JetStream on 127.0.0.1 (as the tests' harness starts it). */
async function startServer() {
  const dir = join(BENCH, `nats-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const http = await freePort();
  const config = join(dir, 'nats.conf');
  writeFileSync(
    config,
    `host: 127.0.0.1\nport: ${port}\nhttp: "127.0.0.1:${http}"\nmax_payload: 8MB\njetstream { store_dir: ${JSON.stringify(join(dir, 'js'))} }\n`,
  );
  const bin = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';
  const child = spawn(bin, ['-c', config], { stdio: 'ignore' });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${http}/healthz?js-enabled-only=true`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Seconds to send `bytes` over plain loopback TCP (1 MiB writes, one connection): what the machine's
 * loopback does right now, the ceiling of any NATS read in the same run.
 */
async function loopbackSeconds(bytes) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1 << 20);
    const srv = createServer((socket) => {
      let sent = 0;
      const send = () => {
        while (sent < bytes) {
          sent += chunk.length;
          if (!socket.write(chunk)) return socket.once('drain', send);
        }
        socket.end();
      };
      send();
    });
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const t0 = process.hrtime.bigint();
      const client = createConnection(srv.address().port, '127.0.0.1');
      client.on('data', () => {});
      client.on('error', reject);
      client.on('end', () => {
        srv.close();
        resolve(Number(process.hrtime.bigint() - t0) / 1e9);
      });
    });
  });
}

const file = await input();
const bytes = statSync(file).size;
const rows = CE.rows * CE.epochs;
const server = await startServer();
const nc = await connectNats({ servers: server.url });
const table = [];
try {
  const subject = 'bench.live';
  log(`publishing ${(bytes / 1e9).toFixed(2)} GB to ${server.url} …`);
  const t0 = process.hrtime.bigint();
  const published = await publishBatches(nc, readFile(file), { subject, run: 'r1' });
  const publishSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const local = await medianAsync(
    () => lastValueFrom(fromBatches(readFile(file)).pipe(crossEntropy(), reduce('mean'))),
    RUNS,
  );
  const baseline = { name: 'local file, 1 thread', seconds: local };
  // Measured between the NATS runs, so it sees the same machine load.
  const loopback = await medianAsync(() => loopbackSeconds(published.bytes), RUNS);
  const tcp = { name: 'loopback TCP', seconds: loopback };
  const consume = await medianAsync(() => lastValueFrom(fromJetStream({ nc, subject, run: 'r1' })), RUNS);
  const live = await medianAsync(
    () => lastValueFrom(fromJetStream({ nc, subject, run: 'r1' }).pipe(crossEntropy(), reduce('mean'))),
    RUNS,
  );
  table.push(
    {
      name: `publishBatches (${published.messages} messages)`,
      rows,
      bytes,
      seconds: publishSeconds,
      baseline: tcp,
    },
    { name: 'loopback TCP (same bytes, no NATS)', rows, bytes, seconds: loopback },
    { name: 'fromJetStream, read only', rows, bytes, seconds: consume, baseline: tcp },
    { name: 'fromJetStream → cross-entropy', rows, bytes, seconds: live, baseline },
    { name: 'local fromFile → cross-entropy', rows, bytes, seconds: local },
  );
} finally {
  await nc.close();
  await server.stop();
}
printTable('NATS JetStream (loopback, 1 thread): live runs', table);
