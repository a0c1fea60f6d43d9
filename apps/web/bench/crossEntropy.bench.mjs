// Cross-entropy throughput of the page in Chromium beside `lossflow eval` on the same Arrow IPC
// stream (a benchmark, not a test): node bench/crossEntropy.bench.mjs [FILE] [WORKERS]
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
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

const server = await serveStatic(fileURLToPath(new URL('../dist/', import.meta.url)));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless'],
});
const page = await browser.newPage();
await page.goto(server.url);
await page.setInputFiles('#files', file);
await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, { timeout: 120_000 });
await page.fill('#threads', String(workers));
t = performance.now();
await page.click('#start');
await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), undefined, {
  timeout: 1_800_000,
  polling: 200,
});
const webSeconds = (performance.now() - t) / 1000;
const state = await page.evaluate(() => document.body.dataset.state);
await browser.close();
await server.close();

const mb = bytes / 1e6;
console.log(`file ${file} (${mb.toFixed(0)} MB), cross-entropy by epoch`);
console.log(`cli:    ${cliSeconds.toFixed(2)} s, ${(mb / cliSeconds).toFixed(0)} MB/s (whole process)`);
console.log(
  `web:    ${webSeconds.toFixed(2)} s, ${(mb / webSeconds).toFixed(0)} MB/s (${workers} workers, ${state})`,
);
console.log(`web/cli throughput: ${((cliSeconds / webSeconds) * 100).toFixed(0)}%`);
