// Cross-entropy throughput of the page in Chromium beside `lossflow eval` on the same Arrow IPC
// stream (a benchmark, not a test): node bench/crossEntropy.bench.mjs [FILE] [WORKERS]
// (WEB_DIST=DIR times another build of the page, e.g. a copy of an earlier dist/, for an A/B.)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../scripts/staticServer.mjs';

const file = process.argv[2] ?? '/tmp/lossflow-bench/e2e/train-2m-100.arrows';
const workers = Number(process.argv[3] ?? Math.min(8, availableParallelism()));
const bytes = statSync(file).size;
const cli = fileURLToPath(new URL('../../cli/bundle/bin.js', import.meta.url));

let t = performance.now();
execFileSync(process.execPath, [cli, 'eval', file, '--by', 'epoch', '--format', 'json'], {
  env: { ...process.env, LOSSFLOW_KERNELS: 'wasm' },
  maxBuffer: 64 << 20,
});
const cliSeconds = (performance.now() - t) / 1000;

const server = await serveStatic(process.env.WEB_DIST ?? fileURLToPath(new URL('../dist/', import.meta.url)));
const marker = `--lossflow-bench=${process.pid}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', marker],
});
const page = await browser.newPage();
// Peak resident memory of Chromium's processes (the browser's and its children's) while the page runs.
const tree = () => {
  const parent = new Map();
  let root = -1;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(marker) && !cmd.includes('--type=')) root = Number(name);
    } catch {}
  }
  const inTree = (pid) => pid === root || (parent.has(pid) && pid > 1 && inTree(parent.get(pid)));
  let kb = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {}
  }
  return kb;
};
let peakKb = 0;
await page.goto(server.url);
await page.setInputFiles('#files', file);
await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, { timeout: 120_000 });
await page.fill('#threads', String(workers));
t = performance.now();
const sampler = setInterval(() => {
  peakKb = Math.max(peakKb, tree());
}, 250);
await page.click('#start');
await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), undefined, {
  timeout: 1_800_000,
  polling: 200,
});
const webSeconds = (performance.now() - t) / 1000;
clearInterval(sampler);
const state = await page.evaluate(() => document.body.dataset.state);
await browser.close();
await server.close();

const mb = bytes / 1e6;
console.log(`file ${file} (${mb.toFixed(0)} MB), cross-entropy by epoch`);
console.log(`cli:    ${cliSeconds.toFixed(2)} s, ${(mb / cliSeconds).toFixed(0)} MB/s (whole process)`);
console.log(
  `web:    ${webSeconds.toFixed(2)} s, ${(mb / webSeconds).toFixed(0)} MB/s (${workers} workers, ${state})`,
);
console.log(`Chromium's peak resident memory while computing: ${(peakKb / 1024).toFixed(0)} MiB`);
console.log(`web/cli throughput: ${((cliSeconds / webSeconds) * 100).toFixed(0)}%`);
